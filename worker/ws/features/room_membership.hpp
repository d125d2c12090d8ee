// This connection's part in playback rooms (docs/protocol.md, Rooms): it is
// in at most one room. Every request is one room RPC, asked as the worker
// for the token's user (p_as), so who may do what is the database's rule.
// The answer's state goes to the RoomHub, which tells this worker's members;
// other workers hear the NOTIFY. A connection without a token may join a
// room that admits guests (seed 004): it is then that room's guest, under
// an id of its own (guest_seat.hpp), until it leaves or closes; a guest
// listens and says READY, and commands nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "db/room_queries.hpp"
#include "fanout/room_hub.hpp"
#include "limits/guest_gate.hpp"
#include "protocol/inbound.hpp"
#include "protocol/room_frames.hpp"
#include "time/server_clock.hpp"
#include "ws/features/guest_seat.hpp"
#include "ws/features/identity.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class RoomMembership {
 public:
  RoomMembership(Outbox& out, const Identity& identity, db::RoomQueries& queries, RoomHub& hub,
                 const ServerClock& clock, limits::GuestGate& guests)
      : out_(out), identity_(identity), queries_(queries), hub_(hub), clock_(clock), guests_(guests) {}

  void opened_from(std::string address) { address_ = std::move(address); }  // for the guest limits

  void on_create(const protocol::CreateRoom& request);
  void on_join(const protocol::JoinRoom& request);
  void on_leave(const protocol::LeaveRoom& request);
  void on_play(const protocol::HostPlay& request);
  void on_pause(const protocol::HostPause& request);
  void on_seek(const protocol::HostSeek& request);
  void on_stop(const protocol::HostStop& request);
  void on_ready(const protocol::Ready& request);
  void update_rtt(double rtt_ms);  // the client's own round trip (TIME_PING rttMs)
  void end();  // a user is still a member in the database (it may come back); a guest leaves

 private:
  // The user this connection acts for, or nullopt after telling it why not.
  std::optional<std::string> user(const nlohmann::json& ref);
  // Who acts in the room it is in: its guest, else its user.
  std::optional<std::string> member(const nlohmann::json& ref);
  void call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then);
  void answer(const db::RoomRead& read, const nlohmann::json& ref,
              const std::function<void(const protocol::RoomView&)>& then);
  // A command on the room this connection is in (build gets its code); the
  // answer is applied by the hub. Guests may only say READY.
  void command(const char* type, const std::function<db::RoomCall(const std::string& code)>& build,
               bool guests_may = false);
  bool in_room(const nlohmann::json& ref);
  bool not_a_guest_elsewhere(const std::optional<std::string>& code, const nlohmann::json& ref);
  void join_as_guest(const protocol::JoinRoom& request);
  void enter(const protocol::RoomView& room, const std::string& member);
  std::optional<std::string> lead_param(const std::string& code) const;

  Outbox& out_;
  const Identity& identity_;
  db::RoomQueries& queries_;
  RoomHub& hub_;
  const ServerClock& clock_;
  limits::GuestGate& guests_;
  std::string address_;
  std::optional<std::string> room_;
  std::shared_ptr<GuestSeat> guest_;  // set while a guest in room_
  double rtt_ms_ = -1;  // unknown until the client reports it
};

}  // namespace session_clock::worker
