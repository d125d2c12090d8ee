#include "time/database_clock_probe.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace session_clock::worker {

namespace net = boost::asio;
using namespace std::chrono;

namespace {

// Exchanges per round: a burst when the estimate (re)starts, a few after.
// On loopback one exchange is ~0.1 ms, so even a burst costs the pool
// connection a millisecond or two.
constexpr int kBurstExchanges = 16;
constexpr int kRoundExchanges = 4;

}  // namespace

DatabaseClockProbe::DatabaseClockProbe(net::io_context& io, db::TimeQueries& db, ServerClock& clock,
                                       milliseconds interval)
    : strand_(net::make_strand(io)), timer_(strand_), db_(db), clock_(clock), interval_(interval) {}

void DatabaseClockProbe::start() {
  net::post(strand_, [self = shared_from_this()] { self->measure(kBurstExchanges); });
}

void DatabaseClockProbe::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void DatabaseClockProbe::burst() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->clock_.restart_window();
    if (self->in_flight_) {
      self->burst_pending_ = true;  // after the round under way
      return;
    }
    self->timer_.cancel();
    self->measure(kBurstExchanges);
  });
}

// On the strand.
void DatabaseClockProbe::measure(int count) {
  if (stopped_) return;
  in_flight_ = true;
  db_.exchanges(count, [self = shared_from_this()](db::TimeExchanges result) {
    net::post(self->strand_, [self, result = std::move(result)]() mutable { self->on_result(std::move(result)); });
  });
}

void DatabaseClockProbe::on_result(db::TimeExchanges result) {
  in_flight_ = false;
  if (stopped_) return;
  if (!result.error.empty() || result.exchanges.empty()) {
    // Keep serving the last estimate: its error bound grows by the drift
    // term from now on, and /healthz shows the age.
    if (!failing_) spdlog::warn("cannot read the database's clock: {}", result.error);
    failing_ = true;
    return wait(interval_);
  }
  if (failing_) {
    spdlog::info("reading the database's clock again");
    clock_.restart_window();
    failing_ = false;
  }
  bool first = !clock_.status().measured;
  for (const auto& x : result.exchanges) clock_.add_exchange(x.sent, x.database_ms, x.received);
  if (first) {
    auto s = clock_.status();
    spdlog::info("serving the database's clock: {:.3f} ms from this host's, error bound {:.3f} ms", s.offset_ms,
                 s.error_ms);
  }
  if (burst_pending_) {
    burst_pending_ = false;
    return measure(kBurstExchanges);
  }
  wait(interval_);
}

void DatabaseClockProbe::wait(steady_clock::duration delay) {
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_ || self->in_flight_) return;
    // After a failure the estimate restarts: a burst, not a round.
    self->measure(self->failing_ ? kBurstExchanges : kRoundExchanges);
  });
}

}  // namespace session_clock::worker
