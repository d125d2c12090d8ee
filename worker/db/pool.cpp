#include "db/pool.hpp"

#include "core/sql_error.hpp"
#include "db/connection_string.hpp"

namespace session_clock::worker::db {

std::unique_ptr<pqxx::connection> open_connection(const std::string& url, const char* purpose) {
  auto conn = std::make_unique<pqxx::connection>(with_connection_defaults(url));
  pqxx::nontransaction tx(*conn);
  tx.exec_params("SELECT set_config('application_name', $1, false)", std::string("session-clock-worker ") + purpose);
  return conn;
}

std::string sqlstate_of(const pqxx::sql_error& e) {
  if (e.sqlstate().empty() && dynamic_cast<const pqxx::insufficient_privilege*>(&e))
    return core::sqlstate::kInsufficientPrivilege;
  return e.sqlstate();
}

Pool::Pool(std::string url, unsigned threads) : url_(std::move(url)), threads_(threads) {}

Pool::~Pool() { stop(); }

void Pool::stop() {
  threads_.stop();
  threads_.join();
}

// A pooled connection (reused = true), or none: run() connects afresh, and
// a failure to connect is reported like any other.
std::pair<std::unique_ptr<pqxx::connection>, bool> Pool::acquire() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return {nullptr, false};
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  return {std::move(conn), true};
}

// Pool connections give up on a statement after a few seconds: a hung
// database answers "unavailable" instead of holding a client forever.
std::unique_ptr<pqxx::connection> Pool::open_pool_connection() {
  auto conn = open_connection(url_, "query");
  pqxx::nontransaction tx(*conn);
  tx.exec("SET statement_timeout = '5s'");
  return conn;
}

void Pool::drop_idle() {
  std::lock_guard lock(mutex_);
  idle_.clear();
}

void Pool::release(std::unique_ptr<pqxx::connection> conn) {
  if (!conn || !conn->is_open()) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(conn));
}

}  // namespace session_clock::worker::db
