#include "protocol/inbound.hpp"

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "protocol/flat_object.hpp"
#include "protocol/inbound_fields.hpp"
#include "protocol/jsonrpc_request.hpp"
#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol {
namespace {

using nlohmann::json;
using namespace fields;

constexpr std::size_t kMaxTokenChars = 8192;

Inbound parse_time_ping(const FlatObject& m) {
  const json* now = m.find("clientNowMs");
  if (!now || !is_time_ms(*now))
    return bad_field("clientNowMs: must be a finite number of milliseconds in [0, 1e13]", m);
  const json* id = m.find("pingId");
  if (id && !is_correlation_id(*id))
    return bad_field("pingId: must be an integer in [0, 2^53] or a string of at most 64 characters", m);
  TimePing ping{now->get<double>(), id ? *id : json(), std::nullopt};
  if (const json* rtt = m.find("rttMs")) {
    if (!rtt->is_number() || !std::isfinite(rtt->get<double>()) || rtt->get<double>() < 0 ||
        rtt->get<double>() > 60000)
      return bad_field("rttMs: must be a number of milliseconds in [0, 60000]", m);
    ping.rtt_ms = rtt->get<double>();
  }
  return ping;
}

template <typename Request>
Inbound parse_legacy_time_sync(const FlatObject& m) {
  const json* sequence = m.find("sequence");
  if (sequence && !is_correlation_id(*sequence))
    return bad_field("sequence: must be an integer in [0, 2^53] or a string of at most 64 characters", m);
  const json* send = m.find("client_send");
  if (send && !send->is_null() && !is_time_ms(*send))
    return bad_field("client_send: must be null or a finite number of milliseconds in [0, 1e13]", m);
  Request out;
  out.sequence = sequence ? *sequence : json();
  if (send) out.client_send = *send;
  return out;
}

// Over a socket a reply always goes back, so a notification (no id) is refused
// rather than answered against JSON-RPC's rules.
Inbound parse_jsonrpc_timesync(const FlatObject& m) {
  const json* id = m.find("id");
  if (!id) return bad_field("id: required (a JSON-RPC notification gets no reply)", m);
  if (!is_valid_jsonrpc_id(*id))
    return bad_field("id: must be a number, null or a string of at most 64 characters", m);
  return JsonRpcTimesync{*id};
}

Inbound parse_subscribe_time(const FlatObject& m) {
  const json* zone = m.find("timezone");
  if (!zone) return SubscribeTime{};
  if (!is_timezone_name(*zone))
    return bad_field("timezone: must be a zone name of at most 64 characters [A-Za-z0-9_+-/]", m);
  return SubscribeTime{zone->get<std::string>()};
}

Inbound parse_auth(const FlatObject& m) {
  const json* token = m.find("token");
  if (!token || !token->is_string() || token->get_ref<const std::string&>().empty() ||
      token->get_ref<const std::string&>().size() > kMaxTokenChars)
    return bad_field("token: must be a non-empty string of at most 8192 characters", m);
  return Auth{token->get<std::string>()};
}

constexpr const char* kBadSessionId = "sessionId: must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)";

template <typename Message>
Inbound parse_session_message(const FlatObject& m) {
  auto id = session_id_of(m);
  if (!id) return bad_field(kBadSessionId, m);
  return Message{*id};
}

// --- rooms ------------------------------------------------------------------

constexpr std::size_t kMaxUrlChars = 2048;
constexpr std::size_t kMaxTrackTextChars = 300;
constexpr std::size_t kMaxRequestIdChars = 100;
constexpr std::size_t kMaxGuestNameBytes = 256;

constexpr const char* kBadCode = "code: must be 4 to 12 letters or digits";

constexpr const char* kBadPosition = "must be a number of seconds in [0, 86400]";

template <typename Command>
Inbound parse_clock_command(const FlatObject& m) {
  auto id = session_id_of(m);
  if (!id) return bad_field(kBadSessionId, m);
  Command command{*id, std::nullopt};
  if (!optional_string(m, "reason", 800, command.reason))  // bytes; the database counts 200 characters
    return bad_field("reason: a string of at most 200 characters", m);
  return command;
}

Inbound parse_create_room(const FlatObject& m) {
  CreateRoom create;
  const json* guests = m.find("guests");
  if (guests && !guests->is_null()) {
    if (!guests->is_boolean()) return bad_field("guests: true or false", m);
    create.guests = guests->get<bool>();
  }
  const json* code = m.find("code");
  if (!code || code->is_null()) return create;
  create.code = room_code(code);
  if (!create.code) return bad_field(kBadCode, m);
  return create;
}

Inbound parse_join_room(const FlatObject& m) {
  auto c = room_code(m.find("code"));
  if (!c) return bad_field(kBadCode, m);
  JoinRoom join{*c, std::nullopt};
  if (!optional_string(m, "name", kMaxGuestNameBytes, join.name))  // the database counts 64 characters
    return bad_field("name: a string of at most 64 characters", m);
  return join;
}

constexpr const char* kBadRequestId = "requestId: a string of at most 100 characters";
bool request_id(const FlatObject& m, std::optional<std::string>& out) {
  return optional_string(m, "requestId", kMaxRequestIdChars, out);
}

Inbound parse_host_play(const FlatObject& m) {
  HostPlay play;
  std::optional<std::string> url, title, filename;
  if (!optional_string(m, "trackUrl", kMaxUrlChars, url) || !url || url->empty())
    return bad_field("trackUrl: must be a non-empty string of at most 2048 characters", m);
  if (!optional_string(m, "title", kMaxTrackTextChars, title) ||
      !optional_string(m, "filename", kMaxTrackTextChars, filename))
    return bad_field("title, filename: strings of at most 300 characters", m);
  if (!request_id(m, play.request_id)) return bad_field(kBadRequestId, m);
  const json* start = m.find("startPositionSec");
  if (start && !start->is_null()) {
    if (!position(start)) return bad_field(std::string("startPositionSec: ") + kBadPosition, m);
    play.start_position_sec = start->get<double>();
  }
  play.track_url = *url;
  play.title = title.value_or("");
  play.filename = filename.value_or("");
  return play;
}

Inbound parse_host_pause(const FlatObject& m) {
  HostPause pause;
  if (!request_id(m, pause.request_id)) return bad_field(kBadRequestId, m);
  const json* at = m.find("positionSec");
  if (at && !at->is_null()) {
    if (!position(at)) return bad_field(std::string("positionSec: ") + kBadPosition, m);
    pause.position_sec = at->get<double>();
  }
  return pause;
}

Inbound parse_host_seek(const FlatObject& m) {
  HostSeek seek;
  if (!request_id(m, seek.request_id)) return bad_field(kBadRequestId, m);
  const json* at = m.find("positionSec");
  if (!position(at)) return bad_field(std::string("positionSec: ") + kBadPosition, m);
  seek.position_sec = at->get<double>();
  return seek;
}

Inbound parse_host_stop(const FlatObject& m) {
  HostStop stop;
  if (!request_id(m, stop.request_id)) return bad_field(kBadRequestId, m);
  return stop;
}

Inbound parse_ready(const FlatObject& m) {
  const json* version = m.find("version");
  if (!version || !version->is_number_integer() || version->get<std::int64_t>() < 1)
    return bad_field("version: must be the room's version (an integer >= 1)", m);
  return Ready{version->get<std::int64_t>()};
}

Inbound parse_by_t(const FlatObject& m, const json& t) {
  if (!t.is_string()) return fail(error_code::kBadMessage, "t: must be a string", m);
  const auto& type = t.get_ref<const std::string&>();
  if (type == message_type::kTimePing) return parse_time_ping(m);
  if (type == message_type::kSubscribeTime) return parse_subscribe_time(m);
  if (type == message_type::kUnsubscribeTime) return UnsubscribeTime{};
  if (type == message_type::kAuth) return parse_auth(m);
  if (type == message_type::kSubscribeClock) return parse_session_message<SubscribeClock>(m);
  if (type == message_type::kUnsubscribeClock) return parse_session_message<UnsubscribeClock>(m);
  if (type == message_type::kJoinSession) return parse_session_message<JoinSession>(m);
  if (type == message_type::kStartClock) return parse_clock_command<StartClock>(m);
  if (type == message_type::kPauseClock) return parse_clock_command<PauseClock>(m);
  if (type == message_type::kResumeClock) return parse_clock_command<ResumeClock>(m);
  if (type == message_type::kStopClock) return parse_clock_command<StopClock>(m);
  if (type == message_type::kLeaveSession) return parse_session_message<LeaveSession>(m);
  if (type == message_type::kCreateRoom) return parse_create_room(m);
  if (type == message_type::kJoinRoom) return parse_join_room(m);
  if (type == message_type::kLeaveRoom) return LeaveRoom{};
  if (type == message_type::kHostPlay) return parse_host_play(m);
  if (type == message_type::kHostPause) return parse_host_pause(m);
  if (type == message_type::kHostSeek) return parse_host_seek(m);
  if (type == message_type::kHostStop) return parse_host_stop(m);
  if (type == message_type::kReady) return parse_ready(m);
  return fail(error_code::kUnknownType, "unknown message type", m);
}


bool is_jsonrpc_timesync(const FlatObject& m) {
  const json* version = m.find("jsonrpc");
  const json* method = m.find("method");
  return version && is_jsonrpc_version(*version) && method && *method == message_type::kJsonRpcTimesync;
}

}  // namespace

Inbound parse_inbound(std::string_view frame, std::size_t max_json_depth) {
  auto read = read_flat_object(frame, max_json_depth);
  if (const auto* error = std::get_if<FlatObjectError>(&read)) {
    switch (*error) {
      case FlatObjectError::too_deep:
        return ProtocolError{error_code::kBadJson, "nesting deeper than " + std::to_string(max_json_depth), nullptr};
      case FlatObjectError::not_json:
        return ProtocolError{error_code::kBadJson, "not valid JSON", nullptr};
      case FlatObjectError::not_object:
        return ProtocolError{error_code::kBadMessage, "not a JSON object", nullptr};
    }
  }
  const FlatObject& message = std::get<FlatObject>(read);
  if (const json* t = message.find("t")) return parse_by_t(message, *t);
  // The older dialect names its messages with "event".
  const json* event = message.find("event");
  if (event && *event == message_type::kLegacyTimeSyncRequest) return parse_legacy_time_sync<LegacyTimeSync>(message);
  if (event && *event == message_type::kDeviceTimeSyncRequest) return parse_legacy_time_sync<DeviceTimeSync>(message);
  if (is_jsonrpc_timesync(message)) return parse_jsonrpc_timesync(message);
  return fail(error_code::kBadMessage, "missing t", message);
}

}  // namespace session_clock::worker::protocol
