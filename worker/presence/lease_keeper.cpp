#include "presence/lease_keeper.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace session_clock::worker {

namespace net = boost::asio;

namespace {

std::string describe_worker() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + " pid " + std::to_string(getpid());
}

}  // namespace

LeaseKeeper::LeaseKeeper(net::io_context& io, db::PresenceQueries& db, std::string worker_id,
                         std::chrono::milliseconds lease, std::function<void()> on_registered)
    : timer_(io), db_(db), worker_id_(std::move(worker_id)), lease_(lease), on_registered_(std::move(on_registered)) {}

void LeaseKeeper::start() {
  net::post(timer_.get_executor(), [self = shared_from_this()] { self->beat(); });
}

void LeaseKeeper::stop() {
  net::post(timer_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void LeaseKeeper::beat() {
  if (stopped_) return;
  db_.heartbeat(worker_id_, static_cast<int>(lease_.count()), describe_worker(),
                [self = shared_from_this()](db::Heartbeat result) {
                  net::post(self->timer_.get_executor(), [self, result = std::move(result)] { self->on_beat(result); });
                });
}

// Renewed at a third of the lease: two heartbeats may fail before it lapses.
void LeaseKeeper::on_beat(const db::Heartbeat& result) {
  if (stopped_) return;
  if (!result.error.empty()) {
    spdlog::warn("lease: heartbeat failed: {}", result.error);
  } else {
    if (result.registered) {
      spdlog::info("lease: worker {} registered ({} ms lease)", worker_id_, lease_.count());
      on_registered_();
    }
    if (result.expired_participants > 0)
      spdlog::info("lease: ended {} presences of workers whose lease ran out", result.expired_participants);
  }
  timer_.expires_after(lease_ / 3);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->beat();
  });
}

void LeaseKeeper::say_goodbye(std::function<void()> done) {
  db_.goodbye(worker_id_, [id = worker_id_, done = std::move(done)](std::string error) {
    if (error.empty())
      spdlog::info("lease: worker {} said goodbye; its participants left", id);
    else
      spdlog::warn("lease: goodbye failed ({}); the lease will lapse instead", error);
    done();
  });
}

}  // namespace session_clock::worker
