#include "fanout/clock_hub.hpp"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "protocol/outbound.hpp"

namespace session_clock::worker {

namespace {
constexpr auto kRetryDelay = std::chrono::milliseconds(500);
}

ClockHub::ClockHub(boost::asio::io_context& io, db::ClockQueries& db, Metrics& metrics, const ServerClock& clock)
    : io_(io), db_(db), metrics_(metrics), clock_(clock) {}

void ClockHub::subscribe(const std::string& session_id, std::weak_ptr<Subscriber> subscriber) {
  {
    std::lock_guard lock(mutex_);
    topics_[session_id].subscribers.push_back(std::move(subscriber));
  }
  refresh(session_id, std::chrono::steady_clock::now());
}

void ClockHub::unsubscribe(const std::string& session_id, const Subscriber* subscriber) {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(session_id);
  if (it == topics_.end()) return;
  auto& subs = it->second.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const std::weak_ptr<Subscriber>& w) {
                              auto s = w.lock();
                              return !s || s.get() == subscriber;
                            }),
             subs.end());
  if (subs.empty() && !reads_.in_flight(session_id)) topics_.erase(it);
}

void ClockHub::on_change(const std::string& session_id) { refresh(session_id, std::chrono::steady_clock::now()); }

void ClockHub::resync() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, topic] : topics_) ids.push_back(id);
  }
  if (!ids.empty()) spdlog::info("hub: re-reading {} followed sessions", ids.size());
  auto now = std::chrono::steady_clock::now();
  for (const auto& id : ids) refresh(id, now);
}

void ClockHub::refresh(const std::string& session_id, std::chrono::steady_clock::time_point rung_at) {
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(session_id);
    if (it == topics_.end() || !reads_.ring(session_id)) return;  // nobody here follows it, or a read is on its way
    it->second.rung_at = rung_at;
  }
  read(session_id);
}

void ClockHub::read(const std::string& session_id) {
  db_.fetch(session_id, [self = shared_from_this(), session_id](db::ClockRead result) {
    self->on_read(session_id, std::move(result));
  });
}

void ClockHub::on_read(const std::string& session_id, db::ClockRead result) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  std::chrono::steady_clock::time_point rung_at;
  bool again = false;
  {
    std::lock_guard lock(mutex_);
    again = reads_.finished(session_id);
    auto it = topics_.find(session_id);
    if (it == topics_.end()) return;
    Topic& topic = it->second;
    rung_at = topic.rung_at;
    for (auto& w : topic.subscribers)
      if (auto s = w.lock()) targets.push_back(std::move(s));
    if (targets.empty() && !again) topics_.erase(it);
  }
  if (again) read(session_id);
  if (!result.error.empty()) {
    spdlog::warn("hub: cannot read session {}: {}", session_id, result.error);
    return retry_later(session_id);
  }
  if (!result.state) return;  // deleted: subscribers keep their last state
  auto push = std::make_shared<const ClockPush>(ClockPush{
      session_id, result.state->version,
      std::make_shared<const std::string>(protocol::clock_state(session_id, *result.state, result.grace, clock_.now_ms()))});
  for (auto& s : targets) s->push_clock(push);
  metrics_.pushes += targets.size();
  metrics_.observe_push_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - rung_at).count());
}

// The database is down or restarting: try again soon, for as long as
// anyone still follows the session.
void ClockHub::retry_later(const std::string& session_id) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, kRetryDelay);
  timer->async_wait([self = shared_from_this(), timer, session_id](const boost::system::error_code& ec) {
    if (!ec) self->refresh(session_id, std::chrono::steady_clock::now());
  });
}

}  // namespace session_clock::worker
