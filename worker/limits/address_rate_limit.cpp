#include "limits/address_rate_limit.hpp"

namespace session_clock::worker::limits {

void AddressRateLimit::forget_full(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it->second.refill(now, shape_);
    it = it->second.full(shape_) ? buckets_.erase(it) : std::next(it);
  }
}

AddressRateLimit::Verdict AddressRateLimit::admit(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxAddresses) forget_full(now);
    if (buckets_.size() >= kMaxAddresses) return {false, std::chrono::seconds(1)};
    it = buckets_.emplace(address, TokenBucket(shape_.burst)).first;
  }
  TokenBucket& bucket = it->second;
  bucket.refill(now, shape_);
  if (bucket.take()) return {true, {}};
  return {false, bucket.until_one(shape_)};
}

std::size_t AddressRateLimit::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace session_clock::worker::limits
