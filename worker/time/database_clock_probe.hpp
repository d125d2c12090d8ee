// Keeps ServerClock measured against the database's clock: a burst of
// exchanges at start, after any failed round and when told the connection
// was rebuilt (burst()), then a few every interval. While the database is
// unreachable the clock keeps serving its last estimate and the estimator's
// drift term widens the error bound with every second (status().age_ms and
// error_ms say so in /healthz); nothing here stops time being served.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "db/time_queries.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class DatabaseClockProbe : public std::enable_shared_from_this<DatabaseClockProbe> {
 public:
  DatabaseClockProbe(boost::asio::io_context& io, db::TimeQueries& db, ServerClock& clock,
                     std::chrono::milliseconds interval);
  void start();
  void stop();
  // The connection path may have changed (the LISTEN connection came back,
  // so the database restarted or the network moved): forget the old samples
  // and measure at once.
  void burst();

 private:
  void measure(int count);
  void on_result(db::TimeExchanges result);
  void wait(std::chrono::steady_clock::duration delay);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  db::TimeQueries& db_;
  ServerClock& clock_;
  std::chrono::milliseconds interval_;
  bool stopped_ = false;
  bool in_flight_ = false;
  bool failing_ = false;  // the last round failed: the next success restarts the window
  bool burst_pending_ = false;
};

}  // namespace session_clock::worker
