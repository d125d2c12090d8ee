#include "presence/deadline_scheduler.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <spdlog/spdlog.h>

#include "core/clock_model.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
using namespace std::chrono;

DeadlineScheduler::DeadlineScheduler(net::io_context& io, db::PresenceQueries& db, Metrics& metrics,
                                     milliseconds max_wait)
    : strand_(net::make_strand(io)), timer_(strand_), db_(db), metrics_(metrics), max_wait_(max_wait) {}

void DeadlineScheduler::start() { poke(); }

void DeadlineScheduler::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void DeadlineScheduler::poke() {
  net::post(strand_, [self = shared_from_this()] { self->sweep(); });
}

void DeadlineScheduler::on_clock_event(const std::string& event) {
  if (event == core::event_name(core::EventKind::grace_start)) poke();
}

void DeadlineScheduler::sweep() {
  if (stopped_) return;
  if (in_flight_) {
    again_ = true;
    return;
  }
  in_flight_ = true;
  again_ = false;
  timer_.cancel();
  db_.apply_due_deadlines(kBatch, [self = shared_from_this()](db::DeadlineSweep result) {
    net::post(self->strand_, [self, result = std::move(result)] { self->on_swept(result); });
  });
}

void DeadlineScheduler::on_swept(const db::DeadlineSweep& result) {
  in_flight_ = false;
  if (stopped_) return;
  if (!result.error.empty()) {
    spdlog::warn("deadlines: cannot apply: {}", result.error);
    return wait(kRetryDelay);
  }
  metrics_.deadlines_applied += result.applied;
  if (result.applied > 0) spdlog::debug("deadlines: paused {} sessions", result.applied);
  if (again_ || result.applied == kBatch) return sweep();  // more may be due already
  if (!result.next_due_in_ms) return wait(max_wait_);
  // Rounded up: waking a little late costs microseconds, waking early a
  // wasted round trip.
  auto due = microseconds(static_cast<std::int64_t>(std::ceil(std::max(0.0, *result.next_due_in_ms) * 1000)));
  wait(std::clamp<steady_clock::duration>(due, kMinWait, max_wait_));
}

void DeadlineScheduler::wait(steady_clock::duration delay) {
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->sweep();
  });
}

}  // namespace session_clock::worker
