// A stand-in for LiveKit's RoomService (ListRooms and ListParticipants only),
// for tests: LiveKit's server cannot run here. A Boost.Beast HTTP/1.1 server
// on 127.0.0.1, an ephemeral port, its own thread; what it answers is
// room_service_replies.hpp. LiveKit's official Node SDK drives it in
// tests/livekit to prove the wire shape; the worker's RoomServiceClient runs
// against it in tests/unit/room_service_client_test.cpp; and
// room_service_standin_main.cpp makes it a program.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protojson_writer.hpp"
#include "room_service_replies.hpp"
#include "test_certificate.hpp"

namespace session_clock::testing {

class RoomServiceStandIn {
 public:
  using Participant = StandInParticipant;

  // Starts listening on 127.0.0.1:0, over TLS with `tls` when given. Throws
  // boost::system::system_error if it cannot.
  RoomServiceStandIn(std::string api_key, std::string api_secret, std::optional<TlsIdentity> tls = std::nullopt);
  ~RoomServiceStandIn();  // stops and joins
  RoomServiceStandIn(const RoomServiceStandIn&) = delete;
  RoomServiceStandIn& operator=(const RoomServiceStandIn&) = delete;

  unsigned short port() const;
  std::string url() const;  // "http://127.0.0.1:PORT", or https

  // Every setter is thread-safe and applies to the next request.
  void set_room(const std::string& name, const std::string& sid, std::vector<Participant> participants);
  void remove_room(const std::string& name);
  void set_unavailable(bool unavailable);           // every request answers 503 Twirp unavailable
  void set_unresponsive(bool unresponsive);         // requests are read and never answered
  void set_json_style(JsonStyle style);             // livekit_server unless set
  void set_missing_room_not_found(bool not_found);  // see room_service_replies.hpp
  // Runs on the server's thread after each answer is made and before it is
  // sent, with the method asked for (a test removes a room between a client's
  // ListRooms and its ListParticipants this way). The stand-in holds no lock
  // while it runs.
  void after_each_answer(std::function<void(const std::string& method)> hook);

  int requests(const std::string& method) const;  // calls per Twirp method name, accepted or not
  std::string last_error() const;                 // why the latest refused request was refused; "" if none was

  struct Server;  // the .cpp's: named here only so its connections can reach it

 private:
  std::unique_ptr<Server> server_;
};

}  // namespace session_clock::testing
