#include "protocol/outbound.hpp"

#include <cmath>
#include <exception>

#include "protocol/json_depth.hpp"
#include "protocol/json_numbers.hpp"
#include "protocol/jsonrpc_request.hpp"
#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;  // frames keep the field order of docs/protocol.md

constexpr std::size_t kMaxBatch = 64;  // bounds the reply an 8 KB body can ask for
ordered_json micros_as_ms(core::Micros us) {
  if (us % 1000 == 0) return us / 1000;
  return static_cast<double>(us) / 1000.0;
}

// Milliseconds to microseconds, saturating instead of overflowing.
core::Micros to_micros(double ms) {
  constexpr double kLimitMs = 9.0e15;  // well inside int64 microseconds
  if (!std::isfinite(ms)) return 0;
  return static_cast<core::Micros>(std::llround(std::fmax(-kLimitMs, std::fmin(kLimitMs, ms)) * 1000.0));
}

// Replaces invalid UTF-8 rather than throwing (strings from a token could hold any bytes).
std::string text(const ordered_json& frame) {
  return frame.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json topic_frame(const char* type, std::string_view topic, const json& extra) {
  ordered_json frame = {{"t", type}, {"topic", std::string(topic)}};
  if (extra.is_object())
    for (const auto& [key, value] : extra.items()) frame[key] = ordered_json(value);
  return frame;
}

ordered_json elapsed_at(const core::ClockState& state, core::Micros at_us) {
  try {
    return number(core::elapsed_ms(state, at_us));
  } catch (const std::exception&) {  // SqlError on values no real clock reaches
    return nullptr;
  }
}

ordered_json rpc_result(const json& id, double now_ms) {
  return {{"jsonrpc", message_type::kJsonRpcVersion}, {"id", ordered_json(id)}, {"result", server_ms(now_ms)}};
}

ordered_json rpc_error(const json& id, int code, const char* message) {
  return {{"jsonrpc", message_type::kJsonRpcVersion},
          {"error", {{"code", code}, {"message", message}}},
          {"id", ordered_json(id)}};
}

// The reply to one request object; nullopt for a notification.
std::optional<ordered_json> rpc_reply(const json& request, double now_ms) {
  auto r = classify_jsonrpc(request);
  switch (r.kind) {
    case JsonRpcKind::timesync: return rpc_result(r.id, now_ms);
    case JsonRpcKind::notification: return std::nullopt;
    case JsonRpcKind::method_not_found: return rpc_error(r.id, jsonrpc_error::kMethodNotFound, "Method not found");
    case JsonRpcKind::invalid_request: break;
  }
  return rpc_error(r.id, jsonrpc_error::kInvalidRequest, "Invalid Request");
}

std::string rpc_batch(const json& batch, double now_ms) {
  if (batch.empty() || batch.size() > kMaxBatch)
    return text(rpc_error(nullptr, jsonrpc_error::kInvalidRequest, "Invalid Request"));
  ordered_json replies = ordered_json::array();
  for (const auto& request : batch)
    if (auto reply = rpc_reply(request, now_ms)) replies.push_back(std::move(*reply));
  return replies.empty() ? std::string() : text(replies);
}

}  // namespace

// One per ping, the frame sent most: its text is written directly, the
// numbers as number() and server_ms() give them (0.5 µs, where building a
// JSON object and dumping it took 1.6).
std::string time_pong(const TimePing& ping, double receive_ms, double send_ms, bool sync_warning,
                      double max_error_ms) {
  std::string out;
  out.reserve(256);
  out += R"({"t":")";
  out += message_type::kTimePong;
  out += R"(","clientNowMs":)";
  append_number(out, ping.client_now_ms);
  if (!ping.ping_id.is_null()) {
    out += R"(,"pingId":)";
    out += ping.ping_id.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += R"(,"serverReceiveMs":)";
  append_server_ms(out, receive_ms);
  out += R"(,"serverSendMs":)";
  std::size_t send_at = out.size();
  append_server_ms(out, send_ms);
  std::size_t send_length = out.size() - send_at;
  out += R"(,"serverNowMs":)";
  out.append(out, send_at, send_length);  // the same stamp, written once
  out += R"(,"syncWarning":)";
  out += sync_warning ? "true" : "false";
  out += R"(,"maxErrorMs":)";
  append_server_ms(out, max_error_ms);
  out += '}';
  return out;
}

std::string legacy_time_sync_response(const char* event, const LegacyTimeSync& request, double receive_ms,
                                      double send_ms, double recommended_interval_ms, bool sync_warning) {
  ordered_json frame = {{"event", event}};
  if (!request.sequence.is_null()) frame["sequence"] = ordered_json(request.sequence);
  if (request.client_send) frame["client_send"] = ordered_json(*request.client_send);
  frame["server_receive"] = server_ms(receive_ms);
  frame["server_send"] = server_ms(send_ms);
  frame["recommended_interval_ms"] = number(recommended_interval_ms);
  frame["sync_warning"] = sync_warning;
  return text(frame);
}

std::string jsonrpc_timesync_result(const nlohmann::json& id, double now_ms) {
  return text(rpc_result(id, now_ms));
}

std::string subscribed(std::string_view topic, const nlohmann::json& extra) {
  return text(topic_frame(message_type::kSubscribed, topic, extra));
}

std::string unsubscribed(std::string_view topic, const nlohmann::json& extra) {
  return text(topic_frame(message_type::kUnsubscribed, topic, extra));
}

std::string auth_ok(const std::string& sub, const std::string& role, std::int64_t expires_at_ms) {
  return text({{"t", message_type::kAuthOk}, {"sub", sub}, {"role", role}, {"expiresAtMs", expires_at_ms}});
}

std::string error(const ProtocolError& e) {
  return text({{"t", message_type::kError}, {"code", e.code}, {"message", e.message}, {"ref", ordered_json(e.ref)}});
}

std::string clock_state(const std::string& session_id, const core::ClockState& state_in_unix_us,
                        double server_now_ms) {
  return clock_state(session_id, state_in_unix_us, core::GraceState{}, server_now_ms);
}

std::string clock_state(const std::string& session_id, const core::ClockState& state_in_unix_us,
                        const core::GraceState& grace, double server_now_ms) {
  const auto& s = state_in_unix_us;
  core::Micros now_us = to_micros(server_now_ms);
  ordered_json frame = {{"t", message_type::kClockState},
                        {"sessionId", session_id},
                        {"startedAtMs", micros_as_ms(s.started_at_us)},
                        {"isPaused", s.is_paused},
                        {"totalPausedMs", s.total_paused_ms},
                        {"lastStateChangeAtMs", micros_as_ms(s.last_change_us)},
                        {"endedAtMs", s.ended_at_us ? micros_as_ms(*s.ended_at_us) : ordered_json()},
                        {"elapsedMs", elapsed_at(s, now_us)},
                        {"serverNowMs", micros_as_ms(now_us)},
                        {"version", s.version},
                        {"participants", grace.participants},
                        {"graceDeadlineMs", grace.deadline_us ? micros_as_ms(*grace.deadline_us) : ordered_json()},
                        {"autoPaused", grace.auto_paused},
                        {"presenceTracked", grace.tracked}};
  return text(frame);
}

std::string clock_changed(const std::string& session_id, const char* action, bool changed, std::int64_t version) {
  return text(ordered_json{{"t", message_type::kClockChanged},
                           {"sessionId", session_id},
                           {"action", action},
                           {"changed", changed},
                           {"version", version}});
}

std::string joined(const std::string& session_id) {
  return text(ordered_json{{"t", message_type::kJoined}, {"sessionId", session_id}});
}

std::string left(const std::string& session_id) {
  return text(ordered_json{{"t", message_type::kLeft}, {"sessionId", session_id}});
}

std::optional<std::string> jsonrpc_timesync_http(std::string_view body, double now_ms, std::size_t max_json_depth) {
  if (nests_deeper_than(body, max_json_depth)) return std::nullopt;
  json request = json::parse(body.begin(), body.end(), nullptr, false);
  if (request.is_discarded()) return std::nullopt;
  if (request.is_array()) return rpc_batch(request, now_ms);
  auto reply = rpc_reply(request, now_ms);
  return reply ? text(*reply) : std::string();
}

}  // namespace session_clock::worker::protocol
