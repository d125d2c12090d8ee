// This connection's part in playback rooms (docs/protocol.md, Rooms): it is
// in at most one room. Every request is one room RPC, asked as the worker
// for the token's user (p_as), so who may do what is the database's rule.
// The answer's state goes to the RoomHub, which tells this worker's members;
// other workers hear the NOTIFY.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "db/room_queries.hpp"
#include "fanout/room_hub.hpp"
#include "protocol/inbound.hpp"
#include "protocol/room_frames.hpp"
#include "time/server_clock.hpp"
#include "ws/features/identity.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class RoomMembership {
 public:
  RoomMembership(Outbox& out, const Identity& identity, db::RoomQueries& queries, RoomHub& hub,
                 const ServerClock& clock)
      : out_(out), identity_(identity), queries_(queries), hub_(hub), clock_(clock) {}

  void on_create(const protocol::CreateRoom& request);
  void on_join(const protocol::JoinRoom& request);
  void on_leave(const protocol::LeaveRoom& request);
  void on_play(const protocol::HostPlay& request);
  void on_pause(const protocol::HostPause& request);
  void on_seek(const protocol::HostSeek& request);
  void on_stop(const protocol::HostStop& request);
  void on_ready(const protocol::Ready& request);
  void update_rtt(double rtt_ms);  // the client's own round trip (TIME_PING rttMs)
  void end();  // still a member in the database: it may come back

 private:
  void call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then);
  // A command on the room this connection is in (build gets its code); the
  // answer is applied by the hub.
  void command(const char* type, const std::function<db::RoomCall(const std::string& code)>& build);
  bool in_room(const nlohmann::json& ref);
  void enter(const protocol::RoomView& room);
  std::optional<std::string> lead_param(const std::string& code) const;

  Outbox& out_;
  const Identity& identity_;
  db::RoomQueries& queries_;
  RoomHub& hub_;
  const ServerClock& clock_;
  std::optional<std::string> room_;
  double rtt_ms_ = -1;  // unknown until the client reports it
};

}  // namespace session_clock::worker
