// Requests per client address (http/client_address.hpp's limit_key): a
// token bucket each (token_bucket.hpp), for HTTP endpoints that anyone may
// call, where a connection's own limit does not help (keep-alive clients
// open as many connections as they like). Shared by every connection
// (thread-safe); time points are injected and come from steady_clock.
// Addresses whose bucket has refilled are forgotten; at most kMaxAddresses
// are tracked, and beyond that new ones are refused.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "limits/token_bucket.hpp"

namespace session_clock::worker::limits {

class AddressRateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxAddresses = 100000;

  struct Verdict {
    bool allowed = false;
    Clock::duration retry_after{};  // when refused: until the address has a token again
  };

  explicit AddressRateLimit(BucketShape shape) : shape_(shape) {}

  Verdict admit(const std::string& address, Clock::time_point now);
  std::size_t tracked() const;

 private:
  void forget_full(Clock::time_point now);

  BucketShape shape_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace session_clock::worker::limits
