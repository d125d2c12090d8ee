// Counts session_clock.stranded_sessions for /metrics: tracked, open sessions
// running below their minimum with no deadline pending, or paused
// automatically while enough are present. The grace rule never leaves a
// session so; a setting changed under running sessions, a row edited by hand
// or a bug can, and a billing team wants to be paged for either.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "db/presence_queries.hpp"
#include "metrics/metrics.hpp"

namespace session_clock::worker {

class StrandedWatch : public std::enable_shared_from_this<StrandedWatch> {
 public:
  StrandedWatch(boost::asio::io_context& io, db::PresenceQueries& db, Metrics& metrics, std::chrono::milliseconds period);
  void start();
  void stop();

 private:
  void count();
  void on_counted(const db::StrandedCounts& counts);

  boost::asio::steady_timer timer_;
  db::PresenceQueries& db_;
  Metrics& metrics_;
  std::chrono::milliseconds period_;
  bool stopped_ = false;
};

}  // namespace session_clock::worker
