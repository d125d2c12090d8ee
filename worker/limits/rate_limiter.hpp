// Per-connection flood control: a token bucket over the monotonic clock.
//
// The bucket holds `burst` tokens and refills at `rate_per_second`; each
// admitted message takes one, so a connect-time sync burst of `burst`
// messages passes and the sustained rate is bounded. A message that finds the
// bucket empty is refused (the caller replies rate_limited) and is a strike.
// Strikes are forgiven once the client has been compliant for a full second:
// the first admitted message at least kCalmPeriod after the last refusal
// resets them. A client that keeps pushing past the limit therefore collects
// strikes without pause and, at `flood_strikes`, is told to close (1008);
// that verdict is final. Time points are injected, never read here, and
// come from steady_clock: a wall-clock step cannot refill or drain the bucket.
#pragma once

#include <chrono>
#include <optional>

#include "config/options.hpp"
#include "limits/token_bucket.hpp"

namespace session_clock::worker::limits {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kCalmPeriod = std::chrono::seconds(1);

  struct Decision {
    bool allowed = false;       // handle the message
    bool should_close = false;  // flooding: close the connection with 1008
  };

  RateLimiter(double rate_per_second, double burst, int flood_strikes = Limits{}.flood_strikes);
  explicit RateLimiter(const Limits& limits);

  Decision admit(Clock::time_point now);

  int strikes() const { return strikes_; }

 private:
  BucketShape shape_;
  int flood_strikes_;
  TokenBucket bucket_;
  std::optional<Clock::time_point> last_refusal_;
  int strikes_ = 0;
  bool closing_ = false;
};

}  // namespace session_clock::worker::limits
