// The server's time: every wall-clock reading that reaches the wire (pong
// stamps, CLOCK_STATE's serverNowMs, time ticks, room schedules, /healthz)
// or judges a token's expiry goes through this one interface, so serving the
// database's time instead of this host's is a change here only. Durations
// and timers use steady_clock everywhere else.
#pragma once

#include <chrono>
#include <cstdint>

namespace session_clock::worker {

class ServerClock {
 public:
  // Today: the host's realtime clock.
  std::chrono::system_clock::time_point now() const { return std::chrono::system_clock::now(); }
  // Unix epoch microseconds, milliseconds (microsecond resolution), seconds.
  std::int64_t now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(now().time_since_epoch()).count();
  }
  double now_ms() const { return static_cast<double>(now_us()) / 1000.0; }
  std::int64_t now_s() const { return now_us() / 1'000'000; }
};

}  // namespace session_clock::worker
