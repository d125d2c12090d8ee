// A keep-alive HTTP/1.1 client over loopback from a chosen source address
// (127.0.0.0/8: each is another client to the worker's per-address limits),
// for tests that need a response's headers or many requests on one socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace session_clock::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  boost::beast::http::fields headers;
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port, const std::string& source = "127.0.0.1");
  // GET on the same connection (reconnecting if the server closed it).
  HttpReply get(const std::string& target);

 private:
  void connect();

  unsigned short port_;
  std::string source_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace session_clock::testing
