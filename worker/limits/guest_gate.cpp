#include "limits/guest_gate.hpp"

#include <algorithm>

namespace session_clock::worker::limits {

void GuestGate::refill(Entry& entry, Clock::time_point now) const {
  double minutes = std::chrono::duration<double, std::ratio<60>>(now - entry.refilled).count();
  if (minutes > 0)
    entry.failure_tokens =
        std::min(limits_.join_failure_burst, entry.failure_tokens + minutes * limits_.join_failures_per_minute);
  entry.refilled = now;
}

void GuestGate::forget_idle(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    refill(it->second, now);
    it = idle(it->second) ? entries_.erase(it) : std::next(it);
  }
}

// Null when the table is full of addresses that hold something.
GuestGate::Entry* GuestGate::find_or_add(const std::string& address, Clock::time_point now) {
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxAddresses) forget_idle(now);
    if (entries_.size() >= kMaxAddresses) return nullptr;
    it = entries_.emplace(address, Entry{0, limits_.join_failure_burst, now}).first;
  }
  refill(it->second, now);
  return &it->second;
}

GuestGate::Verdict GuestGate::enter(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry* found = find_or_add(address, now);
  if (!found) return Verdict::too_many_failures;
  Entry& entry = *found;
  if (entry.failure_tokens < 1) return Verdict::too_many_failures;
  if (entry.guests >= limits_.max_guests_per_address) return Verdict::too_many_guests;
  ++entry.guests;
  return Verdict::admitted;
}

void GuestGate::leave(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end() || it->second.guests == 0) return;
  --it->second.guests;
  if (idle(it->second)) entries_.erase(it);
}

void GuestGate::failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (Entry* entry = find_or_add(address, now)) entry->failure_tokens = std::max(0.0, entry->failure_tokens - 1);
}

GuestGate::Clock::duration GuestGate::failure_wait(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return entries_.size() >= kMaxAddresses ? std::chrono::seconds(1) : Clock::duration::zero();
  refill(it->second, now);
  double missing = 1.0 - it->second.failure_tokens;
  if (missing <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, std::ratio<60>>(missing / limits_.join_failures_per_minute));
}

std::size_t GuestGate::tracked() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace session_clock::worker::limits
