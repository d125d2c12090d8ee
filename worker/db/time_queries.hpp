// The database's clock, read over the worker's own pooled connections:
// each exchange is one round trip of `SELECT clock_timestamp()`, stamped on
// this host's monotonic clock just before the query goes out and just after
// its answer is read (time/server_clock.hpp turns them into an offset).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "db/pool.hpp"

namespace session_clock::worker::db {

struct TimeExchange {
  std::chrono::steady_clock::time_point sent;
  double database_ms;  // clock_timestamp() as Unix epoch ms (microsecond resolution)
  std::chrono::steady_clock::time_point received;
};

struct TimeExchanges {
  std::vector<TimeExchange> exchanges;
  std::string error;  // set: the database could not be reached
};

class TimeQueries {
 public:
  explicit TimeQueries(Pool& pool) : pool_(pool) {}
  // `count` exchanges back to back on one connection (several, so that one
  // of them is likely quick both ways), then done() on a pool thread.
  void exchanges(int count, std::function<void(TimeExchanges)> done);

 private:
  Pool& pool_;
};

}  // namespace session_clock::worker::db
