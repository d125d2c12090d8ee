#include "db/notification_listener.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "core/notification.hpp"
#include "db/pool.hpp"

namespace session_clock::worker::db {

namespace net = boost::asio;

// Receivers only hand the payload on: pqxx 6 swallows their exceptions.
struct NotificationListener::Receiver : pqxx::notification_receiver {
  Receiver(pqxx::connection& c, NotificationListener* owner)
      : pqxx::notification_receiver(c, core::kNotifyChannel), owner_(owner) {}
  void operator()(const std::string& payload, int) override {
    owner_->on_notify_(payload);
  }
  NotificationListener* owner_;
};

// Tearing down may run UNLISTEN or block on a dead socket: it happens on the
// connector thread, never on the event loop, receiver before connection.
struct NotificationListener::Link {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<Receiver> receiver;
  ~Link() {
    // Closing first makes the receiver's destructor skip UNLISTEN, which on
    // a dead connection would make pqxx 6 reconnect just to say it.
    try {
      if (conn) conn->disconnect();
    } catch (...) {
    }
    try {
      receiver.reset();
    } catch (...) {
    }
    conn.reset();
  }
};

NotificationListener::NotificationListener(net::io_context& io, std::string url, OnNotify on_notify,
                                           OnResync on_resync)
    : url_(std::move(url)),
      on_notify_(std::move(on_notify)),
      on_resync_(std::move(on_resync)),
      strand_(net::make_strand(io)),
      retry_timer_(strand_) {}

NotificationListener::~NotificationListener() { shutdown(); }

void NotificationListener::shutdown() {
  connector_.stop();
  connector_.join();
}

void NotificationListener::start() { net::post(strand_, [self = shared_from_this()] { self->connect(); }); }

void NotificationListener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->retry_timer_.cancel();
    self->detach("stopping");
  });
}

// Connect and LISTEN on the connector thread; attach on the strand.
void NotificationListener::connect() {
  net::post(connector_, [self = shared_from_this()] {
    try {
      auto link = std::make_unique<Link>();
      link->conn = open_connection(self->url_, "listener");
      link->receiver = std::make_unique<Receiver>(*link->conn, self.get());  // issues LISTEN
      net::post(self->strand_, [self, link = std::move(link)]() mutable { self->attach(std::move(link)); });
    } catch (const std::exception& e) {
      net::post(self->strand_, [self, why = std::string(e.what())] {
        spdlog::warn("listener: cannot connect: {}", why);
        self->schedule_reconnect();
      });
    }
  });
}

void NotificationListener::attach(std::unique_ptr<Link> link) {
  if (stopped_) {
    net::post(connector_, [link = std::move(link)] {});
    return;
  }
  // LISTEN can fail quietly (pqxx swallows a broken connection there).
  int fd = link_ ? -1 : (link->conn->is_open() ? link->conn->sock() : -1);
  // Asio gets its own duplicate of libpq's socket: each side closes its own,
  // so neither can unregister a descriptor number the other reused.
  int own_fd = fd >= 0 ? ::dup(fd) : -1;
  boost::system::error_code ec;
  if (own_fd >= 0) socket_.emplace(strand_).assign(own_fd, ec);
  if (own_fd < 0 || ec) {
    if (own_fd >= 0 && ec) ::close(own_fd);
    socket_.reset();
    net::post(connector_, [link = std::move(link)] {});
    return schedule_reconnect();
  }
  link_ = std::move(link);
  connected_ = true;
  backoff_ = std::chrono::milliseconds(100);
  spdlog::info("listener: listening on channel {}", core::kNotifyChannel);
  on_readable({});  // anything libpq buffered while we LISTENed, then wait
  on_resync_();     // LISTEN first, then read: nothing falls in between
}

void NotificationListener::wait_readable() {
  socket_->async_wait(net::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
}

// Readable: libpq consumes the input without blocking and dispatches to the
// receiver. A dead server also makes the socket readable (EOF).
void NotificationListener::on_readable(const boost::system::error_code& ec) {
  if (stopped_ || !link_) return;
  if (ec) return detach(ec.message());
  try {
    link_->conn->get_notifs();
  } catch (const std::exception& e) {
    return detach(e.what());
  }
  if (!link_->conn->is_open()) return detach("connection closed");
  wait_readable();
}

void NotificationListener::detach(const std::string& why) {
  bool was_connected = connected_.exchange(false);
  socket_.reset();  // closes our duplicate; libpq closes its own
  if (link_) net::post(connector_, [link = std::move(link_)] {});
  if (stopped_) return;
  if (was_connected) spdlog::warn("listener: connection lost: {}", why);
  schedule_reconnect();
}

void NotificationListener::schedule_reconnect() {
  if (stopped_) return;
  reconnects_++;
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->stopped_) self->connect();
  });
}

}  // namespace session_clock::worker::db
