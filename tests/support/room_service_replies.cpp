#include "room_service_replies.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "livekit_token_check.hpp"

namespace session_clock::testing {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kPrefix = "/twirp/livekit.RoomService/";

StandInReply twirp_error(unsigned status, const std::string& code, const std::string& msg,
                         const OrderedJson& meta = OrderedJson()) {
  OrderedJson body = {{"code", code}, {"msg", msg}};
  if (!meta.is_null()) body["meta"] = meta;
  return {status, "application/json", body.dump(), code + ": " + msg};
}

StandInReply bad_route(const StandInRequest& request, const std::string& msg) {
  return twirp_error(404, "bad_route", msg, {{"twirp_invalid_route", request.verb + " " + request.target}});
}

StandInReply malformed() { return twirp_error(400, "malformed", "the json request could not be decoded"); }

StandInReply permissions_denied() { return twirp_error(401, "unauthenticated", "permissions denied"); }

StandInReply ok(const OrderedJson& body) { return {200, "application/json", body.dump(), {}}; }

std::string media_type(const std::string& content_type) {
  std::string type;
  for (char c : content_type.substr(0, content_type.find(';')))
    if (c != ' ' && c != '\t') type += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return type;
}

// ---- the answers, in the configured spelling ---------------------------------

OrderedJson participant_json(const StandInParticipant& p, JsonStyle style) {
  return ProtoJsonObject(style)
      .text("sid", p.sid)
      .text("identity", p.identity)
      .enumeration("state", p.state, "JOINING")
      .list("tracks", OrderedJson::array())
      .text("metadata", "")
      .int64("joined_at", p.joined_at_s)
      .int64("joined_at_ms", p.joined_at_s * 1000)
      .text("name", "")
      .uint32("version", 0)
      .message("permission", nullptr)
      .text("region", "")
      .boolean("is_publisher", false)
      .enumeration("kind", "STANDARD", "STANDARD")
      .map("attributes", OrderedJson::object())
      .enumeration("disconnect_reason", "UNKNOWN_REASON", "UNKNOWN_REASON")
      .list("kind_details", OrderedJson::array())
      .json();
}

std::uint32_t present_count(const StandInRoom& room) {
  std::uint32_t n = 0;
  for (const auto& p : room.participants) n += p.state != "DISCONNECTED";
  return n;
}

OrderedJson room_json(const StandInRoom& room, JsonStyle style) {
  OrderedJson opus = ProtoJsonObject(style).text("mime", "audio/opus").text("fmtp_line", "").json();
  OrderedJson version =
      ProtoJsonObject(style).int64("unix_micro", room.creation_time_s * 1'000'000).uint32("ticks", 0).json();
  return ProtoJsonObject(style)
      .text("sid", room.sid)
      .text("name", room.name)
      .uint32("empty_timeout", 300)
      .uint32("departure_timeout", 20)
      .uint32("max_participants", 0)
      .int64("creation_time", room.creation_time_s)
      .int64("creation_time_ms", room.creation_time_s * 1000)
      .text("turn_password", "")
      .list("enabled_codecs", OrderedJson::array({opus}))
      .text("metadata", "")
      .uint32("num_participants", present_count(room))
      .uint32("num_publishers", 0)
      .boolean("active_recording", false)
      .message("version", &version)
      .json();
}

// ---- the two methods -------------------------------------------------------------

// A repeated string field: absent or null is empty; anything else malformed.
std::optional<std::vector<std::string>> string_list(const Json& request, const char* key) {
  std::vector<std::string> out;
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return out;
  if (!it->is_array()) return std::nullopt;
  for (const auto& item : *it) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::string> string_field(const Json& request, const char* key) {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool granted(const Json& video, const char* grant) {
  auto it = video.find(grant);
  return it != video.end() && it->is_boolean() && it->get<bool>();
}

StandInReply list_rooms(const Json& request, const Json& video, const StandInState& state) {
  auto names = string_list(request, "names");
  if (!names) return malformed();
  if (!granted(video, "roomList")) return permissions_denied();
  OrderedJson rooms = OrderedJson::array();
  for (const auto& [name, room] : state.rooms)
    if (names->empty() || std::find(names->begin(), names->end(), name) != names->end())
      rooms.push_back(room_json(room, state.style));
  return ok(ProtoJsonObject(state.style).list("rooms", std::move(rooms)).json());
}

StandInReply list_participants(const Json& request, const Json& video, const StandInState& state) {
  auto room_name = string_field(request, "room");
  if (!room_name) return malformed();
  auto room_claim = video.find("room");
  if (!granted(video, "roomAdmin") || room_claim == video.end() || *room_claim != *room_name)
    return permissions_denied();
  auto room = state.rooms.find(*room_name);
  if (room == state.rooms.end() && state.missing_room_not_found)
    return twirp_error(404, "not_found", "requested room does not exist");
  OrderedJson participants = OrderedJson::array();
  if (room != state.rooms.end())
    for (const auto& p : room->second.participants) participants.push_back(participant_json(p, state.style));
  return ok(ProtoJsonObject(state.style).list("participants", std::move(participants)).json());
}

// Twirp's router, then the method.
StandInReply route(const StandInRequest& request, const Json& video, const StandInState& state) {
  if (request.verb != "POST")
    return bad_route(request, "unsupported method \"" + request.verb + "\" (only POST is allowed)");
  std::string path = request.target.substr(0, request.target.find('?'));
  std::string method = twirp_method_of(path);
  if (path != std::string(kPrefix) + method || (method != kListRooms && method != kListParticipants))
    return bad_route(request, "no handler for path \"" + path + "\"");
  if (media_type(request.content_type) != "application/json")
    return bad_route(request, "unexpected Content-Type: \"" + request.content_type + "\"");
  Json body = Json::parse(request.body, nullptr, false);
  if (!body.is_object()) return malformed();
  return method == kListRooms ? list_rooms(body, video, state) : list_participants(body, video, state);
}

}  // namespace

std::string twirp_method_of(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  return path.substr(path.rfind('/') + 1);
}

StandInReply answer_room_service(const StandInRequest& request, const StandInState& state, std::int64_t now_s) {
  if (state.unavailable) return twirp_error(503, "unavailable", "livekit is unavailable (stand-in outage)");
  auto token = check_livekit_token(request.authorization, state.api_key, state.api_secret, now_s);
  if (token.refusal) return {401, "text/plain; charset=utf-8", *token.refusal, "http 401: " + *token.refusal};
  return route(request, token.video, state);
}

}  // namespace session_clock::testing
