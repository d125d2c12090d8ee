// Queries, off the event loop: a small thread pool, each query on a pooled
// connection. Completion handlers run on a pool thread; callers post the
// result back to their own executor. A broken connection is dropped and the
// next query connects afresh, so the database coming back needs no restart.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock_model.hpp"


namespace session_clock::worker::db {

// A clock row with its times in Unix-epoch microseconds; nullopt state: no
// such session. error set: the database could not answer.
struct ClockRead {
  std::optional<core::ClockState> state;
  std::string error;
};

// session_clock.caller_access() as the token's user sees it; nullopt: no access.
struct AccessRead {
  std::optional<std::string> access;
  std::string error;
};

class Database {
 public:
  Database(std::string url, std::string client_role, unsigned threads);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void fetch_clock(std::string session_id, std::function<void(ClockRead)> done);
  // Asks the extension, as client_role with these claims, what the user may do.
  void check_access(std::string session_id, std::string claims_json, std::function<void(AccessRead)> done);
  // Sends NOTIFY on the extension's channel (the listener's start-up self-test).
  void notify(std::string payload, std::function<void(std::string error)> done);

  bool healthy() const { return healthy_.load(); }
  std::string last_error() const;
  void stop();

 private:
  template <typename Result, typename Work>
  void run(std::function<void(Result)> done, Work work);
  std::pair<std::unique_ptr<pqxx::connection>, bool> acquire();
  std::unique_ptr<pqxx::connection> open_pool_connection();
  void release(std::unique_ptr<pqxx::connection> conn);
  void record_error(const std::string& message);

  std::string url_;
  std::string client_role_;
  boost::asio::thread_pool pool_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::string last_error_;
  std::atomic<bool> healthy_{false};
  static constexpr int kMaxQueued = 1024;
  std::atomic<int> queued_{0};
};

// Opens a connection labelled as the worker in pg_stat_activity.
std::unique_ptr<pqxx::connection> open_connection(const std::string& url, const char* purpose);

}  // namespace session_clock::worker::db
