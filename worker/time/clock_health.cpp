#include "time/clock_health.hpp"

#include "core/kernel_clock.hpp"

namespace session_clock::worker {

ClockHealth::Reading ClockHealth::read() {
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto last = read_at_ns_.load(std::memory_order_relaxed);
  if (last == 0 || now - last > 1'000'000'000) {
    // Two threads may both refresh at the boundary: harmless, same answer.
    auto status = core::read_kernel_clock_status();
    sync_warning_ = !status.is_synced;
    max_error_ms_ = status.maxerror_ms;
    read_at_ns_ = now;
  }
  return {sync_warning_.load(), max_error_ms_.load()};
}

}  // namespace session_clock::worker
