#include "presence/stranded_watch.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace session_clock::worker {

namespace net = boost::asio;

StrandedWatch::StrandedWatch(net::io_context& io, db::PresenceQueries& db, Metrics& metrics, std::chrono::milliseconds period)
    : timer_(io), db_(db), metrics_(metrics), period_(period) {}

void StrandedWatch::start() {
  net::post(timer_.get_executor(), [self = shared_from_this()] { self->count(); });
}

void StrandedWatch::stop() {
  net::post(timer_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void StrandedWatch::count() {
  if (stopped_) return;
  db_.count_stranded([self = shared_from_this()](db::StrandedCounts counts) {
    net::post(self->timer_.get_executor(), [self, counts = std::move(counts)] { self->on_counted(counts); });
  });
}

void StrandedWatch::on_counted(const db::StrandedCounts& counts) {
  if (stopped_) return;
  if (counts.error.empty()) {
    auto running = metrics_.stranded_running.exchange(counts.running_without_deadline);
    auto paused = metrics_.stranded_paused.exchange(counts.auto_paused_while_present);
    if ((counts.running_without_deadline || counts.auto_paused_while_present) &&
        (running != counts.running_without_deadline || paused != counts.auto_paused_while_present))
      spdlog::warn("stranded sessions: {} running below their minimum with no deadline, {} paused automatically "
                   "while enough are present (SELECT * FROM session_clock.stranded_sessions)",
                   counts.running_without_deadline, counts.auto_paused_while_present);
  }
  timer_.expires_after(period_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->count();
  });
}

}  // namespace session_clock::worker
