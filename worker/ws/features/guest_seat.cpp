#include "ws/features/guest_seat.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace session_clock::worker {
namespace {

// 128 random bits: a guest id names one connection's stay and nothing else.
std::string new_guest_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static const char kHex[] = "0123456789abcdef";
  std::string id = "guest:";
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

}  // namespace

GuestSeat::GuestSeat(limits::GuestGate& gate, db::RoomQueries& queries, std::string address, std::string code)
    : gate_(gate), queries_(queries), address_(std::move(address)), code_(std::move(code)), id_(new_guest_id()) {}

GuestSeat::~GuestSeat() {
  gate_.leave(address_);
  if (!joined_) return;
  // The leave is announced (NOTIFY) like any other: the host's view updates.
  queries_.call({"session_clock_room_leave", {code_, id_}}, [id = id_](db::RoomRead read) {
    bool gone = read.sqlstate == "P0002" || read.sqlstate == "42501";  // the room, or the membership
    if (!read.room && !gone) spdlog::warn("rooms: guest {} could not leave: {}", id, read.error);
  });
}

}  // namespace session_clock::worker
