// SUBSCRIBE_TIME: one time_update per second, sent on the server's second
// boundary. The wait is a steady_clock timer (a clock step can't make it
// fire early or never), re-aimed at the next wall-clock second every tick,
// so a step only shifts which second the next tick announces.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fanout/subscriber.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class TimeTicker : public std::enable_shared_from_this<TimeTicker> {
 public:
  TimeTicker(boost::asio::io_context& io, const ServerClock& clock);
  void start();
  void stop();
  // `after`: the subscriber was already sent the time then; a late tick for
  // an earlier second must not follow it (time would run backwards).
  void subscribe(std::weak_ptr<Subscriber> subscriber, const Subscriber* key, std::string timezone,
                 std::chrono::system_clock::time_point after = {});
  void unsubscribe(const Subscriber* key);

 private:
  struct Entry {
    std::weak_ptr<Subscriber> subscriber;
    const Subscriber* key;
    std::string timezone;
    std::chrono::system_clock::time_point after;
  };
  void arm();
  void wait_for(std::chrono::system_clock::time_point target, std::chrono::system_clock::time_point now);
  void tick(std::chrono::system_clock::time_point second);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;  // arm/tick/stop run on strand_
  const ServerClock& clock_;
  bool stopped_ = false;
  std::chrono::system_clock::time_point last_sent_{};
  std::mutex mutex_;  // entries_ are changed from every connection's thread
  std::vector<Entry> entries_;
};

}  // namespace session_clock::worker
