#include "livekit/room_listing.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/arguments.hpp"
#include "protocol/json_depth.hpp"

namespace session_clock::worker::livekit {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kDisconnected = 3;  // ParticipantInfo.State.DISCONNECTED
constexpr std::string_view kDisconnectedName = "DISCONNECTED";
constexpr std::size_t kMaxIdBytes = 256;                                     // room names and sids
constexpr std::size_t kMaxIdentityBytes = 4 * core::kMaxParticipantIdChars;  // UTF-8; the rule counts characters

// protojson reads null as "not set", the same as an absent member.
const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// The answer as a JSON object, or the reason it is not one.
std::optional<Json> parse_object(std::string_view body, std::size_t max_bytes, std::string& error) {
  if (body.size() > max_bytes) {
    error = "answer too large";
    return std::nullopt;
  }
  if (protocol::nests_deeper_than(body, kMaxListingDepth)) {
    error = "answer nested too deeply";
    return std::nullopt;
  }
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    error = "answer is not a json object";  // a parse error yields "discarded", not an object
    return std::nullopt;
  }
  return json;
}

// A repeated message field: absent is empty; present, an array of objects.
std::optional<std::vector<const Json*>> read_list(const Json& object, const char* key) {
  std::vector<const Json*> out;
  const Json* list = member(object, key);
  if (!list) return out;
  if (!list->is_array()) return std::nullopt;
  for (const auto& item : *list) {
    if (!item.is_object()) return std::nullopt;
    out.push_back(&item);
  }
  return out;
}

// A string field: absent is "", anything but a string is nullopt.
std::optional<std::string> read_text(const Json& object, const char* key, std::size_t max_bytes) {
  const Json* value = member(object, key);
  if (!value) return std::string();
  if (!value->is_string() || value->get_ref<const std::string&>().size() > max_bytes) return std::nullopt;
  return value->get<std::string>();
}

// An enum field as protojson reads it: its name or its number.
std::optional<bool> is_disconnected(const Json& participant) {
  const Json* state = member(participant, "state");
  if (!state) return false;  // JOINING, the default, is left out
  if (state->is_string()) return state->get_ref<const std::string&>() == kDisconnectedName;
  if (state->is_number_integer()) return state->get<std::int64_t>() == kDisconnected;
  return std::nullopt;
}

ListedRoom room_problem(std::string reason) { return {false, {}, std::move(reason)}; }

ListedRoom find_room(std::string_view body, std::string_view room_name) {
  std::string error;
  auto json = parse_object(body, kMaxListRoomsBytes, error);
  if (!json) return room_problem(std::move(error));
  auto rooms = read_list(*json, "rooms");
  if (!rooms) return room_problem("rooms: must be a list of objects");
  for (const Json* room : *rooms) {
    auto name = read_text(*room, "name", kMaxIdBytes);
    auto sid = read_text(*room, "sid", kMaxIdBytes);
    if (!name || !sid) return room_problem("rooms: name and sid must be strings");
    if (*name != room_name) continue;
    if (sid->empty()) return room_problem("rooms: the room has no sid");
    return {true, std::move(*sid), {}};
  }
  return {false, {}, {}};
}

ListedParticipants participants_problem(std::string reason) { return {std::nullopt, std::move(reason)}; }

ListedParticipants find_participants(std::string_view body) {
  std::string error;
  auto json = parse_object(body, kMaxListParticipantsBytes, error);
  if (!json) return participants_problem(std::move(error));
  auto participants = read_list(*json, "participants");
  if (!participants) return participants_problem("participants: must be a list of objects");
  std::vector<RoomParticipant> present;
  for (const Json* participant : *participants) {
    auto sid = read_text(*participant, "sid", kMaxIdBytes);
    auto identity = read_text(*participant, "identity", kMaxIdentityBytes);
    auto disconnected = is_disconnected(*participant);
    if (!sid || !identity || sid->empty() || identity->empty())
      return participants_problem("participants: each needs a sid and an identity");
    if (!disconnected) return participants_problem("participants: state must be an enum name or number");
    if (*disconnected || !core::is_valid_participant_id(*identity)) continue;
    present.push_back({std::move(*sid), std::move(*identity)});
  }
  return {std::move(present), {}};
}

}  // namespace

ListedRoom read_listed_room(std::string_view body, std::string_view room_name) noexcept {
  try {
    return find_room(body, room_name);
  } catch (...) {
    return ListedRoom{false, {}, "internal error"};  // fits the small-string buffer: cannot throw in turn
  }
}

ListedParticipants read_listed_participants(std::string_view body) noexcept {
  try {
    return find_participants(body);
  } catch (...) {
    return ListedParticipants{std::nullopt, "internal error"};
  }
}

}  // namespace session_clock::worker::livekit
