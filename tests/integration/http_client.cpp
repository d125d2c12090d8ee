#include "http_client.hpp"

namespace session_clock::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpClient::HttpClient(unsigned short port, const std::string& source)
    : port_(port), source_(source), stream_(io_) {
  connect();
}

void HttpClient::connect() {
  auto& socket = stream_.socket();
  beast::error_code ignored;
  socket.close(ignored);
  buffer_.clear();
  socket.open(net::ip::tcp::v4());
  socket.bind(net::ip::tcp::endpoint(net::ip::make_address(source_), 0));
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
}

HttpReply HttpClient::get(const std::string& target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(true);
  http::response<http::string_body> res;
  beast::error_code ec;
  http::write(stream_, req, ec);
  if (!ec) http::read(stream_, buffer_, res, ec);
  if (ec) {  // closed by the server between requests: once more on a new socket
    connect();
    http::write(stream_, req);
    http::read(stream_, buffer_, res);
  }
  HttpReply reply{static_cast<int>(res.result_int()), res.body(), {}};
  for (const auto& field : res) reply.headers.set(field.name_string(), field.value());
  if (!res.keep_alive()) connect();
  return reply;
}

}  // namespace session_clock::testing
