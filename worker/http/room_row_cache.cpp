#include "http/room_row_cache.hpp"

#include "core/sql_error.hpp"

namespace session_clock::worker {

namespace {

// What is worth keeping: a room, or the word that there is none.
bool keepable(const db::RoomRead& read) { return read.room || read.sqlstate == core::sqlstate::kNoDataFound; }

}  // namespace

void RoomRowCache::get(const std::string& code, Clock::time_point now, const Fetch& fetch, Done done) {
  std::unique_lock lock(mutex_);
  auto it = rooms_.find(code);
  if (it == rooms_.end()) {
    if (rooms_.size() >= max_rooms_) sweep(now);
    if (rooms_.size() >= max_rooms_) {
      lock.unlock();
      return fetch([done = std::move(done)](db::RoomRead read) { done(read); });
    }
    it = rooms_.emplace(code, Entry{}).first;
  }
  Entry& entry = it->second;
  if (!entry.waiting.empty()) return entry.waiting.push_back(std::move(done));
  if (entry.filled && now - entry.read_at < ttl_) {
    db::RoomRead kept = entry.read;
    lock.unlock();
    return done(kept);
  }
  entry.filled = false;
  auto generation = entry.generation = next_generation_++;
  entry.waiting.push_back(std::move(done));
  lock.unlock();
  fetch([this, code, generation, now](db::RoomRead read) {
    finished(code, generation, now, std::move(read));
  });
}

void RoomRowCache::finished(const std::string& code, std::uint64_t generation, Clock::time_point started,
                            db::RoomRead read) {
  std::vector<Done> waiting;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(code);
    if (it != rooms_.end()) {
      Entry& entry = it->second;
      waiting.swap(entry.waiting);
      if (entry.generation == generation && keepable(read)) {
        entry.read = read;
        entry.read_at = started;
        entry.filled = true;
      } else {
        rooms_.erase(it);  // forgotten while it was read, or not worth keeping
      }
    }
  }
  for (auto& done : waiting) done(read);
}

// A read in flight keeps its waiters: it still answers them, but its row
// is not kept (its generation is over).
void RoomRowCache::forget(const std::string& code, std::int64_t version) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(code);
  if (it == rooms_.end()) return;
  const Entry& entry = it->second;
  if (entry.filled && entry.read.room && entry.read.room->version >= version) return;
  if (it->second.waiting.empty()) {
    rooms_.erase(it);
  } else {
    it->second.generation = next_generation_++;
  }
}

void RoomRowCache::forget_all() {
  std::lock_guard lock(mutex_);
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    if (it->second.waiting.empty()) {
      it = rooms_.erase(it);
    } else {
      it->second.generation = next_generation_++;
      ++it;
    }
  }
}

void RoomRowCache::sweep(Clock::time_point now) {
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    const Entry& entry = it->second;
    bool stale = entry.waiting.empty() && (!entry.filled || now - entry.read_at >= ttl_);
    it = stale ? rooms_.erase(it) : std::next(it);
  }
}

std::size_t RoomRowCache::size() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace session_clock::worker
