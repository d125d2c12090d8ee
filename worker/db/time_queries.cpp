#include "db/time_queries.hpp"

namespace session_clock::worker::db {

namespace {

// Whole microseconds since the epoch: extract() is exact numeric (PG 14+),
// so no float rounding on the database's side.
constexpr const char* kReadClock = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8";

}  // namespace

void TimeQueries::exchanges(int count, std::function<void(TimeExchanges)> done) {
  pool_.run<TimeExchanges>(std::move(done), [count](pqxx::connection& conn, TimeExchanges& out) {
    // No transaction: a nontransaction sends each statement alone, so one
    // exchange is exactly one round trip.
    pqxx::nontransaction tx(conn);
    for (int i = 0; i < count; ++i) {
      auto sent = std::chrono::steady_clock::now();
      auto row = tx.exec1(kReadClock);
      auto received = std::chrono::steady_clock::now();
      out.exchanges.push_back({sent, static_cast<double>(row[0].as<long long>()) / 1000.0, received});
    }
  });
}

}  // namespace session_clock::worker::db
