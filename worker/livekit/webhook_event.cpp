#include "livekit/webhook_event.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/arguments.hpp"
#include "protocol/json_depth.hpp"

namespace session_clock::worker::livekit {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr std::size_t kMaxSecondsDigits = 12;
constexpr std::size_t kMaxIdentityBytes = 4 * core::kMaxParticipantIdChars;  // UTF-8; the rule counts characters

ParsedWebhookEvent reject(std::string reason) { return {std::nullopt, false, std::move(reason)}; }

// protojson reads null as "not set", the same as an absent member.
const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Absent leaves `out` empty, as protojson leaves an empty string out. Returns
// the problem, if any.
std::string read_string(const Json& object, const char* key, std::size_t max_bytes, const char* path,
                        std::string& out) {
  const Json* value = member(object, key);
  if (!value) return {};
  if (!value->is_string()) return std::string(path) + ": must be a string";
  const auto& text = value->get_ref<const std::string&>();
  if (text.size() > max_bytes) return std::string(path) + ": is too long";
  out = text;
  return {};
}

// protojson writes an int64 as a decimal string; a plain number is accepted
// too, as protojson itself does. Seconds before 1970 or after 9999 are not.
std::optional<std::int64_t> seconds(const Json& value) {
  if (value.is_number_unsigned()) {
    auto n = value.get<std::uint64_t>();
    return n <= static_cast<std::uint64_t>(kMaxSeconds) ? std::optional<std::int64_t>(static_cast<std::int64_t>(n))
                                                        : std::nullopt;
  }
  if (value.is_number_integer()) {
    auto n = value.get<std::int64_t>();
    return n >= 0 && n <= kMaxSeconds ? std::optional<std::int64_t>(n) : std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxSecondsDigits) return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n <= kMaxSeconds ? std::optional<std::int64_t>(n) : std::nullopt;
}

// A nested message (room, participant): absent reads as an empty object.
std::string read_object(const Json& event, const char* key, const Json*& out) {
  static const Json kEmpty = Json::object();
  const Json* value = member(event, key);
  out = value ? value : &kEmpty;
  return value && !value->is_object() ? std::string(key) + ": must be an object" : std::string();
}

std::string read_fields(const Json& json, WebhookEvent& event) {
  const Json* room = nullptr;
  const Json* participant = nullptr;
  std::string problem;
  auto first = [&problem](std::string next) {
    if (problem.empty()) problem = std::move(next);
  };
  first(read_string(json, "event", kMaxIdBytes, "event", event.event));
  first(read_string(json, "id", kMaxIdBytes, "id", event.id));
  if (const Json* created_at = member(json, "createdAt")) {
    auto value = seconds(*created_at);
    if (!value) first("createdAt: must be whole seconds since 1970, as a decimal string or number");
    event.created_at_s = value.value_or(0);
  }
  first(read_object(json, "room", room));
  first(read_object(json, "participant", participant));
  if (!problem.empty()) return problem;
  first(read_string(*room, "name", kMaxIdBytes, "room.name", event.room_name));
  first(read_string(*room, "sid", kMaxIdBytes, "room.sid", event.room_sid));
  first(read_string(*participant, "sid", kMaxIdBytes, "participant.sid", event.participant_sid));
  first(read_string(*participant, "identity", kMaxIdentityBytes, "participant.identity", event.identity));
  return problem;
}

bool is_participant_kind(std::string_view kind) {
  return kind == kParticipantJoined || kind == kParticipantLeft || kind == kParticipantConnectionAborted;
}

// What a handled kind cannot do without; "" when it has it all.
std::string missing_for_handled(const WebhookEvent& event) {
  if (event.id.empty()) return "id: missing";
  if (event.created_at_s == 0) return "createdAt: missing";
  if (event.room_name.empty()) return "room.name: missing";
  if (!is_participant_kind(event.event)) return {};
  if (event.participant_sid.empty()) return "participant.sid: missing";
  if (event.identity.empty()) return "participant.identity: missing";
  if (!core::is_valid_participant_id(event.identity))
    return "participant.identity: must be at most " + std::to_string(core::kMaxParticipantIdChars) +
           " characters, not blank, without control characters";
  return {};
}

ParsedWebhookEvent parse_unguarded(std::string_view body) {
  if (body.size() > kMaxEventBytes) return reject("event too large");
  if (protocol::nests_deeper_than(body, kMaxEventDepth)) return reject("event nested too deeply");
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return reject("malformed event json");  // a parse error yields "discarded"
  WebhookEvent event;
  if (auto problem = read_fields(json, event); !problem.empty()) return reject(std::move(problem));
  if (event.event.empty()) return reject("event: missing");
  bool handled = is_handled_kind(event.event);
  if (handled)
    if (auto problem = missing_for_handled(event); !problem.empty()) return reject(std::move(problem));
  return {std::move(event), handled, {}};
}

}  // namespace

bool is_handled_kind(std::string_view kind) { return is_participant_kind(kind) || kind == kRoomFinished; }

ParsedWebhookEvent parse_webhook_event(std::string_view body) noexcept {
  try {
    return parse_unguarded(body);
  } catch (...) {
    return {std::nullopt, false, "internal error"};  // fits the small-string buffer: cannot throw in turn
  }
}

}  // namespace session_clock::worker::livekit
