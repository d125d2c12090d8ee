#include "time/time_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace session_clock::worker {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Math.max / Math.min for the finite values the estimator sees.
double js_max(double a, double b) { return a > b ? a : b; }
double js_min(double a, double b) { return a < b ? a : b; }
double js_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }

}  // namespace

void validate(const EstimatorOptions& o) {
  if (o.window_size < 1) throw std::invalid_argument("window_size must be an integer >= 1");
  if (!(o.window_ms > 0)) throw std::invalid_argument("window_ms must be > 0");
  if (!(o.slew_rate > 0 && o.slew_rate < 1)) throw std::invalid_argument("slew_rate must be in (0, 1)");
  if (!(o.step_threshold_ms >= 0)) throw std::invalid_argument("step_threshold_ms must be >= 0");
  if (!(o.drift_ppm >= 0)) throw std::invalid_argument("drift_ppm must be >= 0");
  if (!(o.resolution_ms >= 0)) throw std::invalid_argument("resolution_ms must be >= 0");
  if (o.step_samples < 1) throw std::invalid_argument("step_samples must be an integer >= 1");
}

TimeEstimator::TimeEstimator(EstimatorOptions options) : options_(options) { validate(options_); }

double TimeEstimator::residual_ms() const {
  if (window_.size() < 2) return kInf;
  double up1 = kInf, up2 = kInf, down1 = kInf, down2 = kInf;
  for (const auto& s : window_) {
    if (s.up < up1) {
      up2 = up1;
      up1 = s.up;
    } else if (s.up < up2) {
      up2 = s.up;
    }
    if (s.down < down1) {
      down2 = down1;
      down1 = s.down;
    } else if (s.down < down2) {
      down2 = s.down;
    }
  }
  return ((up2 - up1) + (down2 - down1)) / 2;
}

std::optional<EstimatorSample> TimeEstimator::add_sample(double t1, double t2, double t3, double t4) {
  if (!(std::isfinite(t1) && std::isfinite(t2) && std::isfinite(t3) && std::isfinite(t4)) || t4 < t1 || t3 < t2)
    return std::nullopt;
  // computeSample: all four stamps; a clock tick between stamps can make the
  // delay a hair negative, which is zero.
  double offset = ((t2 - t1) + (t3 - t4)) / 2;
  double delay = js_max(0, (t4 - t1) - (t3 - t2));
  EstimatorSample sample{offset, delay, t2 - t1, t4 - t3, t4 - t1, t4};
  window_.push_back(sample);
  trim(t4);
  last_ = sample;
  auto fix = intersect(t4);
  if (!fix) {
    // The newest sample contradicts older ones beyond any drift: a clock
    // stepped. The server's clock is the reference: follow it from now on.
    window_.assign(1, sample);
    restarts_ += 1;
    fix = intersect(t4);
  }
  fix_ = fix;
  adopt(fix->offset, t4);
  return sample;
}

void TimeEstimator::trim(double now_local) {
  std::size_t drop = window_.size() > options_.window_size ? window_.size() - options_.window_size : 0;
  while (drop + 1 < window_.size() && now_local - window_[drop].at > options_.window_ms) drop += 1;
  window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(drop));
}

std::optional<TimeEstimator::Fix> TimeEstimator::intersect(double now_local) const {
  const double phi = options_.drift_ppm * 1e-6;
  const double r = options_.resolution_ms;
  double up = kInf, down = kInf, hi = kInf, lo = -kInf, delay = kInf;
  for (const auto& s : window_) {
    double slack = r + phi * js_max(0, now_local - s.at);
    up = js_min(up, s.up);
    down = js_min(down, s.down);
    hi = js_min(hi, s.up + slack);
    lo = js_max(lo, -s.down - slack);
    delay = js_min(delay, s.delay);
  }
  if (lo > hi) return std::nullopt;
  // The middle at zero drift, unless only drift reconciles the samples.
  double offset = (up - down) / 2;
  if (offset > hi || offset < lo) offset = (lo + hi) / 2;
  return Fix{offset, js_max(hi - offset, offset - lo), now_local, delay};
}

void TimeEstimator::adopt(double target, double now_local) {
  double current = offset_at(now_local);
  accepted_ += 1;
  bool free = !synced_ || accepted_ <= options_.step_samples;
  if (free || std::abs(target - current) > options_.step_threshold_ms) {
    if (synced_ && current != target) steps_ += 1;
    applied_ = target;
  } else {
    applied_ = current;
  }
  applied_at_ = now_local;
  target_ = target;
  synced_ = true;
}

double TimeEstimator::offset_at(double local_ms) const {
  double gap = target_ - applied_;
  if (gap == 0) return applied_;
  double room = options_.slew_rate * js_max(0, local_ms - applied_at_);
  return applied_ + js_sign(gap) * js_min(std::abs(gap), room);
}

Estimate TimeEstimator::snapshot(double local_ms) const {
  double offset_ms = offset_at(local_ms);
  if (!fix_) return {offset_ms, offset_ms, kInf, kNaN, kNaN, false, 0, steps_, kInf};
  double drift = js_max(0, local_ms - fix_->at) * options_.drift_ppm * 1e-6;
  double max_error_ms = fix_->error_ms + drift + std::abs(target_ - offset_ms);
  return {offset_ms,
          target_,
          synced_ ? max_error_ms : kInf,
          last_->round_trip,
          fix_->delay,
          synced_,
          window_.size(),
          steps_,
          js_max(0, local_ms - last_->at)};
}

void TimeEstimator::invalidate() {
  window_.clear();
  synced_ = false;
  accepted_ = 0;
}

}  // namespace session_clock::worker
