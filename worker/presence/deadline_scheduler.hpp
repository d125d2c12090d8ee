// Applies grace deadlines when they fall due. The deadlines live in the
// database; this only decides when to ask it. Each sweep calls
// session_clock.apply_due_deadlines(), which pauses every due session as of
// its deadline (exactly once however many workers sweep) and answers how long
// until the next one; the timer then sleeps that long on the monotonic clock,
// capped at max_wait so a missed notification costs at most that much. A
// NOTIFY of a new deadline, or a listener reconnect, sweeps at once.
//
// The wait comes from the database's own clock, so neither a step of this
// host's wall clock nor its offset from the database fires a pause early or
// loses one.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "db/presence_queries.hpp"
#include "metrics/metrics.hpp"

namespace session_clock::worker {

class DeadlineScheduler : public std::enable_shared_from_this<DeadlineScheduler> {
 public:
  DeadlineScheduler(boost::asio::io_context& io, db::PresenceQueries& db, Metrics& metrics,
                    std::chrono::milliseconds max_wait);
  void start();
  void stop();
  // Sweep now (coalesced with one in flight).
  void poke();
  // A NOTIFY of a session's event: a new deadline (grace_start) pokes.
  void on_clock_event(const std::string& event);

  static constexpr int kBatch = 1000;  // sessions paused per call
  static constexpr auto kRetryDelay = std::chrono::milliseconds(500);
  static constexpr auto kMinWait = std::chrono::milliseconds(2);  // skipped rows: not a busy loop

 private:
  void sweep();
  void on_swept(const db::DeadlineSweep& result);
  void wait(std::chrono::steady_clock::duration delay);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  db::PresenceQueries& db_;
  Metrics& metrics_;
  std::chrono::milliseconds max_wait_;
  bool in_flight_ = false;
  bool again_ = false;
  bool stopped_ = false;
};

}  // namespace session_clock::worker
