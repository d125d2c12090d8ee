#include "time/server_clock.hpp"

#include <cmath>
#include <limits>

namespace session_clock::worker {

using namespace std::chrono;

EstimatorOptions ServerClock::database_estimator_options(milliseconds interval, double drift_ppm) {
  EstimatorOptions o;
  o.window_ms = static_cast<double>(interval.count()) / 2;
  o.drift_ppm = drift_ppm;
  return o;
}

ServerClock::ServerClock(double max_error_ms, EstimatorOptions estimator)
    : max_error_ms_(max_error_ms), estimator_(estimator) {}

// The local base: steady_clock in fractional milliseconds. Since boot, so a
// double keeps sub-microsecond resolution for centuries.
double ServerClock::local_ms(steady::time_point t) {
  return static_cast<double>(duration_cast<nanoseconds>(t.time_since_epoch()).count()) / 1e6;
}

double ServerClock::now_ms() const {
  auto local = steady::now();
  {
    std::lock_guard lock(mutex_);
    if (exchanges_ > 0) return estimator_.server_time(local_ms(local));
  }
  // Not measured yet: this host's wall clock stands in (status() says so).
  return static_cast<double>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

std::int64_t ServerClock::now_us() const { return static_cast<std::int64_t>(std::floor(now_ms() * 1000.0)); }

system_clock::time_point ServerClock::now() const { return system_clock::time_point(microseconds(now_us())); }

steady_clock::time_point ServerClock::steady_at(double server_ms) const {
  auto local = steady::now();
  double ahead_ms = server_ms - now_ms();
  return local + duration_cast<steady::duration>(duration<double, std::milli>(ahead_ms));
}

void ServerClock::add_exchange(steady::time_point sent, double database_ms, steady::time_point received) {
  std::lock_guard lock(mutex_);
  if (estimator_.add_sample(local_ms(sent), database_ms, database_ms, local_ms(received))) {
    exchanges_ += 1;
    last_database_ms_ = database_ms;
  }
}

void ServerClock::restart_window() {
  std::lock_guard lock(mutex_);
  estimator_.clear_window();
}

ServerClock::Status ServerClock::status() const {
  auto local = steady::now();
  auto wall = system_clock::now();
  Status s{};
  {
    std::lock_guard lock(mutex_);
    auto e = estimator_.snapshot(local_ms(local));
    s.measured = exchanges_ > 0;
    s.error_ms = s.measured ? e.max_error_ms : std::numeric_limits<double>::infinity();
    s.age_ms = s.measured ? e.last_sample_age_ms : std::numeric_limits<double>::infinity();
    s.delay_ms = e.delay_ms;
    s.exchanges = exchanges_;
    s.measured_at_ms = s.measured ? last_database_ms_ : std::numeric_limits<double>::quiet_NaN();
    double wall_ms = static_cast<double>(duration_cast<microseconds>(wall.time_since_epoch()).count()) / 1000.0;
    s.offset_ms = s.measured ? estimator_.server_time(local_ms(local)) - wall_ms : 0.0;
    s.within_bound = s.measured && s.error_ms <= max_error_ms_;
  }
  return s;
}

}  // namespace session_clock::worker
