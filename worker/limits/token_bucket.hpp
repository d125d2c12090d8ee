// The one token bucket the limits share: it holds up to `burst` tokens and
// refills at `rate_per_second`. Only the state lives here (two words, so a
// table of one per address stays small); the shape is the caller's. Time
// points are injected and come from steady_clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace session_clock::worker::limits {

struct BucketShape {
  double rate_per_second = 1;
  double burst = 1;
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TokenBucket(double tokens) : tokens_(tokens) {}

  // Adds what was earned since the last refill, up to the burst. Time that
  // appears to run backwards refills nothing and does not move the reference.
  void refill(Clock::time_point now, const BucketShape& shape) {
    if (refilled_ && now > *refilled_) {
      double elapsed_s = std::chrono::duration<double>(now - *refilled_).count();
      tokens_ = std::min(shape.burst, tokens_ + elapsed_s * shape.rate_per_second);
    }
    if (!refilled_ || now > *refilled_) refilled_ = now;
  }

  // One token, if there is one.
  bool take() {
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  bool full(const BucketShape& shape) const { return tokens_ >= shape.burst; }

  // How long until a token is there (zero if one is).
  Clock::duration until_one(const BucketShape& shape) const {
    if (tokens_ >= 1.0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1.0 - tokens_) / shape.rate_per_second));
  }

 private:
  double tokens_;
  std::optional<Clock::time_point> refilled_;
};

}  // namespace session_clock::worker::limits
