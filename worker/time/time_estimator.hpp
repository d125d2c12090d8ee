// The server-time estimator, in C++: a line-for-line port of
// client/time-estimator.js (the reference; its header explains the method in
// full), used by the worker to estimate the database's clock from its own
// four-timestamp exchanges (time/database_clock.hpp).
//
// In short: a sample's uplink says the offset (server − local) is at most
// up = t2 − t1, its downlink that it is at least −(t4 − t3); every sample of
// the window must hold at once, so the offset lies in the intersection of
// their intervals (each widened by its age at driftPpm), and the estimate is
// the middle. Intervals that do not meet mean a clock stepped: the window
// restarts from the newest sample. The applied offset steps to the first
// samples, then slews at slewRate and steps only beyond stepThresholdMs.
//
// Pure arithmetic, no I/O, no clock reads: every local time is passed in.
// tests/vectors/time_estimator.json (generated from the JS estimator) is
// replayed through this class by tests/unit/time_estimator_vectors_test.cpp,
// as through the JS and Python estimators, and must give bit-identical
// doubles: keep every expression in the JS file's order (CMake compiles this
// file with -ffp-contract=off, so no fused multiply-add changes a rounding).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

namespace session_clock::worker {

struct EstimatorOptions {
  std::size_t window_size = 256;   // most samples kept
  double window_ms = 64'000;       // oldest sample kept
  double step_threshold_ms = 50;   // a synced clock steps only for a larger correction
  double slew_rate = 0.05;         // slews at most 50 ms per second
  std::size_t step_samples = 4;    // the first samples of a fresh estimate step freely
  double drift_ppm = 15;           // how fast an old sample's interval widens
  double resolution_ms = 0;        // how coarse the local clock's readings are
};

// Throws std::invalid_argument for options the JS constructor refuses.
void validate(const EstimatorOptions& options);

struct EstimatorSample {
  double offset;
  double delay;
  double up;
  double down;
  double round_trip;
  double at;  // t4, local ms
};

struct Estimate {
  double offset_ms;
  double target_offset_ms;
  double max_error_ms;  // infinity before the first sample
  double rtt_ms;        // NaN before the first sample
  double delay_ms;      // NaN before the first sample
  bool synced;
  std::size_t samples;
  std::size_t steps;
  double last_sample_age_ms;  // infinity before the first sample
};

class TimeEstimator {
 public:
  explicit TimeEstimator(EstimatorOptions options = {});

  const EstimatorOptions& options() const { return options_; }
  bool synced() const { return synced_; }
  std::size_t sample_count() const { return window_.size(); }
  std::size_t steps() const { return steps_; }
  std::size_t restarts() const { return restarts_; }
  double residual_ms() const;

  // Adds one exchange (local send, server receive, server send, local
  // receive); the sample, or nothing when it is unusable (non-finite stamps,
  // a reply received before it was sent).
  std::optional<EstimatorSample> add_sample(double t1, double t2, double t3, double t4);

  double offset_at(double local_ms) const;
  double server_time(double local_ms) const { return local_ms + offset_at(local_ms); }
  Estimate snapshot(double local_ms) const;

  // Forgets the samples, keeps the estimate (a reconnect: the path may differ).
  void clear_window() { window_.clear(); }
  // The local base itself may have jumped: forget the samples, let the next step.
  void invalidate();

 private:
  struct Fix {
    double offset;
    double error_ms;
    double at;
    double delay;
  };
  void trim(double now_local);
  std::optional<Fix> intersect(double now_local) const;
  void adopt(double target, double now_local);

  EstimatorOptions options_;
  std::deque<EstimatorSample> window_;  // oldest first
  std::optional<Fix> fix_;              // kept when the window is cleared
  std::optional<EstimatorSample> last_;
  double target_ = 0;
  double applied_ = 0;
  double applied_at_ = 0;
  bool synced_ = false;
  std::size_t accepted_ = 0;
  std::size_t steps_ = 0;
  std::size_t restarts_ = 0;
};

}  // namespace session_clock::worker
