// The hubs' doorbell rule: a NOTIFY only says "something changed", so a hub
// re-reads the row. One read per key is in flight at a time; rings that
// arrive meanwhile make exactly one more read after it, never a queue of
// them. Not thread-safe: the hubs call it under their own mutex.
#pragma once

#include <unordered_map>

namespace session_clock::worker {

template <typename Key>
class CoalescedReads {
 public:
  // A ring: true when the caller should start a read now; false when one is
  // in flight (it will be followed by one more).
  bool ring(const Key& key) {
    auto [it, idle] = in_flight_.try_emplace(key, false);
    if (!idle) it->second = true;
    return idle;
  }

  // The read of key finished: true when it was rung meanwhile and the caller
  // should read again now (the key stays in flight).
  bool finished(const Key& key) {
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return false;
    if (it->second) {
      it->second = false;
      return true;
    }
    in_flight_.erase(it);
    return false;
  }

  bool in_flight(const Key& key) const { return in_flight_.count(key) > 0; }

  // Nobody needs the key read any more (its last follower left).
  void drop(const Key& key) { in_flight_.erase(key); }

 private:
  std::unordered_map<Key, bool> in_flight_;  // key -> rung again during its read
};

}  // namespace session_clock::worker
