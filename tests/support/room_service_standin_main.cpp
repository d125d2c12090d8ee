// room_service_standin: the RoomService stand-in as a program, for tests in
// other languages (tests/livekit drives it with LiveKit's Node SDK).
//   room_service_standin --api-key K --api-secret S --state FILE.json
//                        [--json-style livekit-server|protojson]
//                        [--missing-room empty|not-found]
// FILE.json: {"rooms":[{"name","sid","participants":[{"sid","identity",
// "state","joinedAt"}]}]} (state defaults to ACTIVE). Prints "port=NNNN" once
// listening, then serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "room_service_standin.hpp"

namespace {

using session_clock::testing::JsonStyle;
using session_clock::testing::RoomServiceStandIn;
using Json = nlohmann::json;

Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());  // a test's own file: an exception says what is wrong
}

RoomServiceStandIn::Participant participant_from(const Json& p) {
  RoomServiceStandIn::Participant out{p.at("sid").get<std::string>(), p.at("identity").get<std::string>()};
  out.state = p.value("state", out.state);
  out.joined_at_s = p.value("joinedAt", std::int64_t{0});
  return out;
}

void load_rooms(RoomServiceStandIn& standin, const Json& state) {
  for (const auto& room : state.at("rooms")) {
    std::vector<RoomServiceStandIn::Participant> participants;
    for (const auto& p : room.value("participants", Json::array())) participants.push_back(participant_from(p));
    standin.set_room(room.at("name").get<std::string>(), room.at("sid").get<std::string>(), std::move(participants));
  }
}

void serve_until_signalled() {
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  io.run();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"LiveKit RoomService stand-in (ListRooms, ListParticipants) for tests"};
  std::string key, secret, state_file, style = "livekit-server", missing_room = "empty";
  app.add_option("--api-key", key, "API key (the token's iss)")->required();
  app.add_option("--api-secret", secret, "API secret")->required();
  app.add_option("--state", state_file, "rooms and participants, JSON")->required();
  app.add_option("--json-style", style, "answer spelling")->check(CLI::IsMember({"livekit-server", "protojson"}));
  app.add_option("--missing-room", missing_room, "ListParticipants of a missing room")
      ->check(CLI::IsMember({"empty", "not-found"}));
  CLI11_PARSE(app, argc, argv);
  try {
    RoomServiceStandIn standin(key, secret);
    standin.set_json_style(style == "protojson" ? JsonStyle::protojson_compact : JsonStyle::livekit_server);
    standin.set_missing_room_not_found(missing_room == "not-found");
    load_rooms(standin, read_json_file(state_file));
    std::cout << "port=" << standin.port() << std::endl;
    serve_until_signalled();
  } catch (const std::exception& e) {
    std::cerr << "room_service_standin: " << e.what() << std::endl;
    return 1;
  }
}
