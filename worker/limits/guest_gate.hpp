// Who may join rooms as a guest, per client address (seed 004's guests have
// no token, so an address is all there is to hold to account): at most
// `max_guests` guest memberships at once, and JOIN_ROOM failures (no such
// room, one that admits no guests) and /api/party-state's unknown codes
// (http/party_state.hpp) spend one bucket of `failure_burst` that
// refills at `failures_per_minute`; while it is empty the address's guest
// joins are refused, so room codes cannot be guessed by trying them.
// Shared by every connection (thread-safe); time points are injected and
// come from steady_clock. Addresses are forgotten once they hold nothing,
// and at most kMaxAddresses are tracked: beyond that, new ones are refused.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "config/options.hpp"

namespace session_clock::worker::limits {

class GuestGate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxAddresses = 100000;

  enum class Verdict { admitted, too_many_guests, too_many_failures };

  explicit GuestGate(const GuestLimits& limits) : limits_(limits) {}

  // Takes one of the address's guest places, unless it may not have one.
  Verdict enter(const std::string& address, Clock::time_point now);
  // Gives the place back (the guest left, its join failed, its connection closed).
  void leave(const std::string& address);
  // A join that named no room admitting guests, or a lookup of an unknown
  // code: spends from the bucket.
  void failed(const std::string& address, Clock::time_point now);
  // Zero while the address may still fail; else how long until it may.
  Clock::duration failure_wait(const std::string& address, Clock::time_point now);

  const GuestLimits& limits() const { return limits_; }
  std::size_t tracked() const;

 private:
  struct Entry {
    std::size_t guests = 0;
    double failure_tokens = 0;
    Clock::time_point refilled{};
  };
  void refill(Entry& entry, Clock::time_point now) const;
  bool idle(const Entry& entry) const { return entry.guests == 0 && entry.failure_tokens >= limits_.join_failure_burst; }
  void forget_idle(Clock::time_point now);
  Entry* find_or_add(const std::string& address, Clock::time_point now);

  GuestLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace session_clock::worker::limits
