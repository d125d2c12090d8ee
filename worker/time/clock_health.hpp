// The host clock's health for TIME_PONG (syncWarning, maxErrorMs): the
// kernel's discipline, read at most once a second so a ping costs no syscall.
#pragma once

#include <atomic>
#include <chrono>

namespace session_clock::worker {

class ClockHealth {
 public:
  struct Reading {
    bool sync_warning;
    double max_error_ms;
  };
  Reading read();

 private:
  std::atomic<std::int64_t> read_at_ns_{0};  // steady_clock; 0: never
  std::atomic<bool> sync_warning_{true};
  std::atomic<double> max_error_ms_{0};
};

}  // namespace session_clock::worker
