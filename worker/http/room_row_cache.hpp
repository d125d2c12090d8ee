// /api/party-state's rooms, kept a short while per code so that a crowd
// asking about one room (a party's guests resuming their tabs, or a flood)
// costs the database one read per `ttl`, and one read in flight per code:
// who asks while it runs waits for its answer. The room's row is kept, not
// an answer rendered from it: positions are computed from the stored
// schedule at answer time, so they stay exact however old the row is. A row
// is dropped when its room's version moves on (the room's NOTIFY) or the LISTEN
// connection comes back (notifications may have been lost), so what is kept
// is at most as stale as a push. Unknown codes are kept too (a code created
// since is seen within ttl); an unavailable database is not. At most
// `max_rooms` codes are kept; beyond that, reads go straight to the database.
// Thread-safe; `done` runs outside the lock, on the caller's thread for a
// kept row, else on the database thread that answered.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/room_queries.hpp"

namespace session_clock::worker {

class RoomRowCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(const db::RoomRead&)>;
  // Reads the row from the database: calls its argument exactly once.
  using Fetch = std::function<void(std::function<void(db::RoomRead)>)>;

  RoomRowCache(Clock::duration ttl, std::size_t max_rooms) : ttl_(ttl), max_rooms_(max_rooms) {}

  void get(const std::string& code, Clock::time_point now, const Fetch& fetch, Done done);
  // The room changed to `version`: a kept row older than that is dropped
  // (joins, leaves and READY keep the version, and what is kept with it).
  void forget(const std::string& code, std::int64_t version);
  void forget_all();
  std::size_t size() const;

 private:
  struct Entry {
    db::RoomRead read;
    Clock::time_point read_at{};  // when the read that filled it started
    bool filled = false;
    std::uint64_t generation = 0;  // which read may fill it (forget() moves it on)
    std::vector<Done> waiting;     // a read is in flight while non-empty
  };
  void finished(const std::string& code, std::uint64_t generation, Clock::time_point started, db::RoomRead read);
  void sweep(Clock::time_point now);

  Clock::duration ttl_;
  std::size_t max_rooms_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> rooms_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace session_clock::worker
