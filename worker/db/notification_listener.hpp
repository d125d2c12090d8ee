// The LISTEN side: one dedicated connection that never holds a transaction,
// its socket watched by the event loop (no polling, no thread asleep in
// await_notification). On any break it reconnects with capped exponential
// backoff, LISTENs again and then calls on_resync, so whoever it serves
// re-reads the tables: a notification lost while disconnected loses nothing.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <optional>
#include <string>


namespace session_clock::worker::db {

class NotificationListener : public std::enable_shared_from_this<NotificationListener> {
 public:
  using OnNotify = std::function<void(const std::string& payload)>;
  using OnResync = std::function<void()>;

  NotificationListener(boost::asio::io_context& io, std::string url, OnNotify on_notify, OnResync on_resync);
  ~NotificationListener();

  void start();
  void stop();
  // After the event loop has stopped: waits for the connector thread.
  void shutdown();

  bool connected() const { return connected_.load(); }
  std::uint64_t reconnects() const { return reconnects_.load(); }

 private:
  struct Receiver;
  struct Link;  // a connection and its receiver, torn down together
  void connect();
  void attach(std::unique_ptr<Link> link);
  void wait_readable();
  void on_readable(const boost::system::error_code& ec);
  void detach(const std::string& why);
  void schedule_reconnect();

  std::string url_;
  OnNotify on_notify_;
  OnResync on_resync_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::thread_pool connector_{1};  // libpq connects block: never on the event loop
  std::unique_ptr<Link> link_;
  std::optional<boost::asio::posix::stream_descriptor> socket_;
  std::chrono::milliseconds backoff_{100};
  bool stopped_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> reconnects_{0};
};

}  // namespace session_clock::worker::db
