// The server's time, which is the database's: every wall-clock reading that
// reaches the wire (pong stamps, CLOCK_STATE's serverNowMs, time ticks, room
// schedules, /healthz) or judges a token's expiry goes through this one
// interface.
//
// Why the database's: session timestamps (started_at, grace deadlines, a
// room's start_at) come from PostgreSQL's clock_timestamp(), and in
// production the worker runs on another host (always so with a managed
// database). Serving this host's clock would put every client's timer off
// the bill by the two hosts' difference, and fire PLAY_AT early or late.
//
// How: the worker's own database connections make four-timestamp exchanges
// (time/database_clock_probe.hpp feeds add_exchange()); the offset from this
// host's *monotonic* clock to the database's wall clock is estimated by the
// same estimator the clients use (time/time_estimator.hpp), so this host's
// wall clock plays no part at all once measured: it may be stepped, slewed or
// simply wrong. Until the first exchange, the host's wall clock stands in,
// with an unbounded error (status().measured false, /healthz degraded).
// Durations and timers use steady_clock everywhere else; steady_at() turns a
// database instant into a steady_clock deadline through the same offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "time/time_estimator.hpp"

namespace session_clock::worker {

class ServerClock {
 public:
  using steady = std::chrono::steady_clock;

  struct Status {
    bool measured;           // at least one exchange since start
    double offset_ms;        // database clock − this host's wall clock (what an operator compares)
    double error_ms;         // bound on |now() − the database's clock|; infinity until measured
    double measured_at_ms;   // database epoch ms of the latest exchange; NaN until measured
    double age_ms;           // since the latest exchange (steady); infinity until measured
    double delay_ms;         // the round trip the estimate rests on (query time excluded: none to exclude)
    std::uint64_t exchanges; // accepted since start
    bool within_bound;       // measured, and error_ms within the configured bound
  };

  // max_error_ms: the error bound beyond which the served time is not to be
  // trusted (pongs' syncWarning, /healthz degraded); estimator: the options
  // the worker's estimate runs with (database_estimator_options()).
  ServerClock(double max_error_ms, EstimatorOptions estimator);
  ServerClock(const ServerClock&) = delete;
  ServerClock& operator=(const ServerClock&) = delete;

  std::chrono::system_clock::time_point now() const;
  // Unix epoch microseconds, milliseconds (microsecond resolution), seconds.
  std::int64_t now_us() const;
  double now_ms() const;
  std::int64_t now_s() const { return now_us() / 1'000'000; }

  // The steady_clock instant at which the database's clock reads
  // `server_ms`, by the current estimate (a PLAY_AT's timer).
  steady::time_point steady_at(double server_ms) const;

  // One exchange: a query sent at `sent`, whose clock_timestamp() read
  // `database_ms` (Unix epoch ms), answered at `received`. The database
  // stamps once, so its receive and send stamps are the same reading.
  void add_exchange(steady::time_point sent, double database_ms, steady::time_point received);
  // A new connection: the path may differ, so old samples no longer bound
  // it; the estimate itself is kept until the new samples arrive.
  void restart_window();

  Status status() const;

  // The worker's estimator. Each measurement round is a few exchanges back
  // to back, and the window keeps only the latest round (window_ms is half
  // the interval): then a real frequency difference between the two hosts
  // cannot bias the estimate, as the intersection's zero-drift middle would
  // be across rounds seconds apart. Between rounds, and through an outage,
  // the error bound grows at drift_ppm. 500 ppm is the most the kernel's
  // clock discipline corrects (ntp_adjtime's MAXFREQ): a host further off
  // than that is broken, so the default bound holds for any working host,
  // at the price of ~0.5 ms of bound per second since the last round.
  static EstimatorOptions database_estimator_options(std::chrono::milliseconds interval, double drift_ppm);

 private:
  static double local_ms(steady::time_point t);

  double max_error_ms_;
  mutable std::mutex mutex_;
  TimeEstimator estimator_;
  std::uint64_t exchanges_ = 0;
  double last_database_ms_ = 0;
};

}  // namespace session_clock::worker
