// One plain HTTP connection on the WebSocket port, keep-alive: reads a
// request (the header first: the body limit depends on the route), answers
// it from HttpRoutes, or hands the socket to a WebSocket session. Anything
// else is 404; bodies over the limit get 413. On a spare place (beyond the
// connection caps) only /healthz and /metrics are answered, then closed.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "http/routes.hpp"
#include "limits/connection_gate.hpp"

namespace session_clock::worker {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, const HttpRoutes& routes, limits::ConnectionGate::Ticket place);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  Response answer(const Request& request);
  void answer_at_capacity(const Request& request);
  void on_webhook(Request request);
  void on_party_state(Request request);
  Response json_response(boost::beast::http::status status, unsigned version, bool keep_alive, std::string body) const;
  // Responds from any thread: the answer is posted to this connection's strand.
  void respond_later(Response response);
  void respond(Response response);

  limits::ConnectionGate::Ticket place_;  // given back after the socket closes
  boost::beast::tcp_stream stream_;
  const HttpRoutes& routes_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace session_clock::worker
