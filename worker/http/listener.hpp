// Accepts TCP connections on the configured address; each takes a place in
// the ConnectionGate (or is closed at once) and becomes an HttpSession on
// its own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/client_address.hpp"
#include "http/routes.hpp"
#include "limits/connection_gate.hpp"

namespace session_clock::worker {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Throws boost::system::system_error if the address can't be bound.
  Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, const HttpRoutes& routes,
           limits::ConnectionGate& gate, http_client::TrustedProxies trusted_proxies);
  void run();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void accept();
  void admit(boost::asio::ip::tcp::socket socket);
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const HttpRoutes& routes_;
  limits::ConnectionGate& gate_;
  http_client::TrustedProxies trusted_proxies_;  // their sockets count in the total only
};

}  // namespace session_clock::worker
