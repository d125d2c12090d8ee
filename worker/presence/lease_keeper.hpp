// The worker's lease in session_clock.workers: renewed every third of its
// length, so presence this worker reported outlives it only if it dies (then
// another worker's heartbeat sweeps it once the lease runs out). Each
// heartbeat is also that sweep.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "db/presence_queries.hpp"

namespace session_clock::worker {

class LeaseKeeper : public std::enable_shared_from_this<LeaseKeeper> {
 public:
  // on_registered runs (on the io_context) whenever the lease row was
  // created anew: at start, and after the lease lapsed and was swept.
  LeaseKeeper(boost::asio::io_context& io, db::PresenceQueries& db, std::string worker_id, std::chrono::milliseconds lease,
              std::function<void()> on_registered);
  void start();
  void stop();
  // Ends the lease now and removes this worker's presence (clean shutdown).
  void say_goodbye(std::function<void()> done);

 private:
  void beat();
  void on_beat(const db::Heartbeat& result);

  boost::asio::steady_timer timer_;
  db::PresenceQueries& db_;
  std::string worker_id_;
  std::chrono::milliseconds lease_;
  std::function<void()> on_registered_;
  bool stopped_ = false;
};

}  // namespace session_clock::worker
