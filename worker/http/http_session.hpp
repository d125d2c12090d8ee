// Plain HTTP on the WebSocket port: /healthz, /metrics, POST /timesync, POST
// /webhooks/livekit, the browser client and demo page compiled into the
// binary (static_files.hpp), and the upgrade to WebSocket at /ws (Origin
// allow-list and access_token checked before the upgrade). Anything else is
// 404; bodies over the limit get 413.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "app/server_context.hpp"

namespace session_clock::worker {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void upgrade(Request request);
  Response route(const Request& request);
  void on_webhook(Request request);
  void on_party_state(Request request);
  void respond(Response response);

  boost::beast::tcp_stream stream_;
  ServerContext& ctx_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace session_clock::worker
