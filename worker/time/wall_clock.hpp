// The only wall-clock reads in the worker: what goes on the wire is the
// host's realtime clock, in Unix epoch milliseconds with microsecond
// resolution. Durations and timers use steady_clock everywhere else.
#pragma once

#include <chrono>
#include <cstdint>

namespace session_clock::worker {

inline std::int64_t wall_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

inline double wall_now_ms() { return static_cast<double>(wall_now_us()) / 1000.0; }

}  // namespace session_clock::worker
