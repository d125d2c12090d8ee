#include "http/party_state.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/sql_error.hpp"
#include "http/query.hpp"
#include "protocol/room_frames.hpp"

namespace session_clock::worker {

namespace http = boost::beast::http;

namespace {

// Codes are 4 to 12 letters or digits, any case on the wire.
std::optional<std::string> room_code(std::string_view target) {
  auto code = http_target::query_parameter(target, "code").value_or("");
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool valid = code.size() >= 4 && code.size() <= 12 && std::all_of(code.begin(), code.end(), [](char c) {
                 return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
               });
  if (!valid) return std::nullopt;
  return code;
}

}  // namespace

void PartyState::lookup(std::string_view target, std::function<void(http::status, std::string)> done) const {
  auto code = room_code(target);
  if (!code) return done(http::status::bad_request, R"({"error":"code: 4 to 12 letters or digits"})");
  rooms_.call({"session_clock_room_state", {*code}}, [done = std::move(done), &clock = clock_](db::RoomRead read) {
    if (!read.room) {
      if (read.sqlstate == core::sqlstate::kNoDataFound) return done(http::status::not_found, R"({"error":"no such room"})");
      return done(http::status::service_unavailable, R"({"error":"the database is unavailable; retry"})");
    }
    auto room = protocol::room_view(*read.room);
    auto state = nlohmann::json::parse(protocol::room_state(room, clock.now_ms()));
    nlohmann::json body = {{"code", room.code}, {"currentTrack", state["currentTrack"]}, {"version", room.version},
                           {"serverNowMs", state["serverNowMs"]}};
    done(http::status::ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

}  // namespace session_clock::worker
