// One tokenless guest's place in a room (seed 004): a place at its
// address's gate (limits/guest_gate.hpp) and, once the database has added
// it, its membership there under a `guest:` id drawn here. Whoever drops the
// last reference gives both back: LEAVE_ROOM, the connection's end, or a
// join whose answer came after the connection had ended. Guests do not
// outlive their connection.
#pragma once

#include <atomic>
#include <string>

#include "db/room_queries.hpp"
#include "limits/guest_gate.hpp"

namespace session_clock::worker {

class GuestSeat {
 public:
  GuestSeat(limits::GuestGate& gate, db::RoomQueries& queries, std::string address, std::string code);
  ~GuestSeat();
  GuestSeat(const GuestSeat&) = delete;
  GuestSeat& operator=(const GuestSeat&) = delete;

  const std::string& id() const { return id_; }
  const std::string& code() const { return code_; }
  // The database holds the membership (called on the pool's thread).
  void joined() { joined_ = true; }

 private:
  limits::GuestGate& gate_;
  db::RoomQueries& queries_;
  std::string address_;
  std::string code_;
  std::string id_;
  std::atomic<bool> joined_{false};
};

}  // namespace session_clock::worker
