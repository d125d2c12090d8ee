// Queries, off the event loop: a small thread pool, each query on a pooled
// connection. The query modules (clock_queries, presence_queries,
// room_queries, livekit_queries) hand their work here; completion handlers
// run on a pool thread and callers post results back to their own executor.
// A broken connection is dropped and the next query connects afresh, so the
// database coming back needs no restart.
#pragma once

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

namespace session_clock::worker::db {

// Whether a failed piece of work may run again on a fresh connection.
enum class Retry {
  once,   // safe to repeat (reads, idempotent RPCs)
  never,  // a repeat could do it twice (e.g. creating a room with a random code)
};

class Pool {
 public:
  Pool(std::string url, unsigned threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs work(connection, result) on a pool thread, then done(result).
  // Result has a std::string `error`, set when the database could not be
  // reached or the statement failed; nothing escapes the pool thread. A full
  // queue answers at once (the database is too slow to keep up).
  template <typename Result, typename Work>
  void run(std::function<void(Result)> done, Work work, Retry retry = Retry::once);

  bool healthy() const { return healthy_.load(); }
  void stop();

 private:
  std::pair<std::unique_ptr<pqxx::connection>, bool> acquire();
  std::unique_ptr<pqxx::connection> open_pool_connection();
  void release(std::unique_ptr<pqxx::connection> conn);
  void drop_idle();

  std::string url_;
  boost::asio::thread_pool threads_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::atomic<bool> healthy_{false};
  static constexpr int kMaxQueued = 1024;
  std::atomic<int> queued_{0};
};

// Opens a connection labelled as the worker in pg_stat_activity.
std::unique_ptr<pqxx::connection> open_connection(const std::string& url, const char* purpose);

// The SQLSTATE of a failed statement (libpqxx 6 throws insufficient_privilege
// without one: the type says it).
std::string sqlstate_of(const pqxx::sql_error& e);

// A pooled connection may have died while idle (a server restart,
// pg_terminate_backend): then every idle connection is as suspect (a
// restart killed them all), so they are dropped, and work that is safe to
// repeat is tried once more on a fresh connection.
template <typename Result, typename Work>
void Pool::run(std::function<void(Result)> done, Work work, Retry retry) {
  if (queued_.fetch_add(1) >= kMaxQueued) {
    queued_--;
    Result full;
    full.error = "too many database requests waiting";
    return done(std::move(full));
  }
  boost::asio::post(threads_, [this, done = std::move(done), work = std::move(work), retry]() mutable {
    Result result;
    for (int attempt = 0; attempt < 2; ++attempt) {
      result = Result{};
      auto [conn, reused] = attempt == 0 ? acquire() : std::pair<std::unique_ptr<pqxx::connection>, bool>{};
      try {
        if (!conn) conn = open_pool_connection();
        work(*conn, result);
        release(std::move(conn));
        healthy_ = true;
        break;
      } catch (const pqxx::broken_connection& e) {
        if (reused) drop_idle();
        if (reused && attempt == 0 && retry == Retry::once) continue;  // a stale idle connection: a fresh one
        result.error = e.what();
        healthy_ = false;
      } catch (const pqxx::sql_error& e) {
        result.error = e.what();  // the transaction rolled back; the connection is fine
        release(std::move(conn));
      } catch (const std::exception& e) {
        result.error = e.what();
        if (!conn || !conn->is_open()) healthy_ = false;
      }
      break;
    }
    queued_--;
    done(std::move(result));
  });
}

}  // namespace session_clock::worker::db
