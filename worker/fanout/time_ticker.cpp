#include "fanout/time_ticker.hpp"

#include <algorithm>
#include <map>

#include "protocol/time_update.hpp"

namespace session_clock::worker {

using namespace std::chrono;

TimeTicker::TimeTicker(boost::asio::io_context& io, const ServerClock& clock)
    : strand_(boost::asio::make_strand(io)), timer_(strand_), clock_(clock) {}

void TimeTicker::start() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->arm(); });
}

void TimeTicker::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void TimeTicker::subscribe(std::weak_ptr<Subscriber> subscriber, const Subscriber* key, std::string timezone,
                           system_clock::time_point after) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.key == key) {
      e.timezone = std::move(timezone);
      e.after = after;
      return;
    }
  entries_.push_back({std::move(subscriber), key, std::move(timezone), after});
}

void TimeTicker::unsubscribe(const Subscriber* key) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; }),
                 entries_.end());
}

// On the strand. Aims at the served clock's next second; the tick announces
// that second, never one it already announced (a late wake-up or a backward
// step can't repeat or skip ahead of the boundary it was aimed at).
void TimeTicker::arm() {
  if (stopped_) return;
  auto now = clock_.now();
  wait_for(floor<seconds>(now) + seconds(1), now);
}

// The served clock is the database's, and it may move under a timer set by
// it: it steps once when the worker first reads the database's clock (from
// this host's wall clock, seconds off perhaps), and slews a little with each
// measurement. So on waking the timer asks it again: early by a little, it
// waits out the rest; if the aimed second is no longer the next one (the
// clock stepped back), it aims afresh instead of announcing a second ahead,
// and forgets seconds announced ahead of the clock as it now reads (by this
// host's clock, before the first reading): they were wrong, and holding
// them would silence the feed for as long as the step.
void TimeTicker::wait_for(system_clock::time_point target, system_clock::time_point now) {
  timer_.expires_after(duration_cast<steady_clock::duration>(target - now));
  timer_.async_wait([self = shared_from_this(), target](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    auto now = self->clock_.now();
    if (now < target) {
      if (floor<seconds>(now) + seconds(1) < target) {
        self->last_sent_ = std::min<system_clock::time_point>(self->last_sent_, floor<seconds>(now));
        return self->arm();
      }
      return self->wait_for(target, now);
    }
    if (target > self->last_sent_) {
      self->last_sent_ = target;
      self->tick(target);
    }
    self->arm();
  });
}

// One frame per time zone in use, shared by everyone in that zone.
void TimeTicker::tick(system_clock::time_point second) {
  std::vector<std::pair<std::shared_ptr<Subscriber>, std::string>> targets;
  {
    std::lock_guard lock(mutex_);
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [](const Entry& e) { return e.subscriber.expired(); }),
                   entries_.end());
    for (auto& e : entries_) {
      if (second <= e.after) continue;
      if (auto s = e.subscriber.lock()) targets.emplace_back(std::move(s), e.timezone);
    }
  }
  std::map<std::string, Frame> frames;
  for (auto& [subscriber, zone] : targets) {
    auto& frame = frames[zone];
    if (!frame) {
      auto text = protocol::time_update(second, zone);
      if (!text) continue;
      frame = std::make_shared<const std::string>(std::move(*text));
    }
    subscriber->push_tick(frame);
  }
}

}  // namespace session_clock::worker
