// Accepts TCP connections on the configured address; each becomes an
// HttpSession on its own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/routes.hpp"

namespace session_clock::worker {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Throws boost::system::system_error if the address can't be bound.
  Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, const HttpRoutes& routes);
  void run();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void accept();
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const HttpRoutes& routes_;
};

}  // namespace session_clock::worker
