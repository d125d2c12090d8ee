#include "http/listener.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "http/http_session.hpp"

namespace session_clock::worker {

namespace net = boost::asio;

Listener::Listener(net::io_context& io, const net::ip::tcp::endpoint& endpoint, const HttpRoutes& routes,
                   limits::ConnectionGate& gate, http_client::TrustedProxies trusted_proxies)
    : io_(io), acceptor_(net::make_strand(io)), routes_(routes), gate_(gate),
      trusted_proxies_(std::move(trusted_proxies)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() { accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::accept() {
  acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](boost::system::error_code ec,
                                                                           net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors, say: the pending connection keeps the socket
      // readable, so pause instead of spinning, and keep serving the others.
      spdlog::warn("accept: {}", ec.message());
      auto pause = std::make_shared<net::steady_timer>(self->acceptor_.get_executor(), std::chrono::milliseconds(100));
      return pause->async_wait([self, pause](boost::system::error_code) { self->accept(); });
    } else {
      self->admit(std::move(socket));
    }
    self->accept();
  });
}

// Counted by the peer's address, unless the peer is a trusted proxy (its
// clients are counted as they upgrade: ws/upgrade.hpp). Beyond every place,
// closed at once: nothing read, nothing held.
void Listener::admit(net::ip::tcp::socket socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  auto address = trusted_proxies_.contains(peer.address())
                     ? std::string()
                     : http_client::limit_key(http_client::client_address(peer.address(), {}, {}, {}));
  auto place = gate_.admit_socket(address);
  if (!place) {
    routes_.metrics.connections_refused++;
    return;
  }
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  std::make_shared<HttpSession>(std::move(socket), routes_, std::move(place))->run();
}

}  // namespace session_clock::worker
