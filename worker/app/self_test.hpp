// Proves NOTIFY reaches our LISTEN connection: a transaction-mode pooler
// (PgBouncer pool_mode=transaction) accepts LISTEN and then never delivers
// anything. Once the listener is up, a NOTIFY with a random nonce is sent;
// unless it comes back within kTimeout, fail() runs (the app shuts down with
// status 3).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "db/pool.hpp"

namespace session_clock::worker {

class SelfTest : public std::enable_shared_from_this<SelfTest> {
 public:
  static constexpr auto kTimeout = std::chrono::seconds(5);

  SelfTest(boost::asio::io_context& io, db::Pool& pool, std::function<void()> fail);
  void start();
  // Every payload nobody else acts on comes here: is it our nonce?
  void on_payload(const std::string& payload);
  bool passed() const { return passed_; }

 private:
  boost::asio::steady_timer timer_;
  db::Pool& pool_;
  std::function<void()> fail_;
  std::string nonce_;
  std::atomic<bool> passed_{false};
};

}  // namespace session_clock::worker
