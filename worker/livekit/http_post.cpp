#include "livekit/http_post.hpp"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

namespace session_clock::worker::livekit {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxReplyHeaderBytes = 16 * 1024;
constexpr const char* kUserAgent = "session-clock-worker";

HttpOutcome failed(const std::string& what, const beast::error_code& ec) {
  if (ec == net::error::timed_out) return {std::nullopt, "timed out"};
  return {std::nullopt, what + ": " + ec.message()};
}

// Runs one operation at a time until it completes or the deadline passes. On
// the deadline the operation is left pending: its handler is destroyed, never
// run, when the objects it works on and then the io_context go. One gap: Asio
// resolves names with a blocking getaddrinfo on a helper thread, which the
// io_context joins on destruction, so a resolver that hangs holds the call
// until glibc gives up (resolv.conf timeout x attempts).
class Exchange {
 public:
  explicit Exchange(Clock::time_point deadline) : deadline_(deadline) {}
  net::io_context& io() { return io_; }

  // start(handler) begins one asynchronous operation; the handler's first
  // argument is its error_code.
  template <class Start>
  beast::error_code step(Start start) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    while (!result && io_.run_one_until(deadline_) > 0) {
    }
    return result.value_or(net::error::timed_out);
  }

 private:
  net::io_context io_;
  Clock::time_point deadline_;
};

http::request<http::string_body> make_request(const ServiceUrl& url, const HttpPost& post) {
  http::request<http::string_body> request{http::string_to_verb(post.method), post.target, 11};
  request.set(http::field::host, url.host_header);
  request.set(http::field::user_agent, kUserAgent);
  if (request.method() == http::verb::get) {
    request.set(http::field::accept, "application/json");
  } else {
    request.set(http::field::content_type, "application/json");
    request.body() = post.body;
  }
  if (!post.authorization.empty()) request.set(http::field::authorization, post.authorization);
  request.keep_alive(false);  // one request per connection
  request.prepare_payload();
  return request;
}

beast::error_code connect(Exchange& exchange, const ServiceUrl& url, beast::tcp_stream& stream) {
  tcp::resolver resolver(exchange.io());
  tcp::resolver::results_type endpoints;
  auto ec = exchange.step([&](auto handler) {
    resolver.async_resolve(url.host, url.port, [&endpoints, handler](beast::error_code e, auto results) mutable {
      endpoints = std::move(results);
      handler(e);
    });
  });
  if (ec) return ec;
  return exchange.step([&](auto handler) { stream.async_connect(endpoints, handler); });
}

template <class Stream>
HttpOutcome write_and_read(Exchange& exchange, Stream& stream, const ServiceUrl& url, const HttpPost& post) {
  auto request = make_request(url, post);
  if (auto ec = exchange.step([&](auto handler) { http::async_write(stream, request, handler); }))
    return failed("write", ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxReplyHeaderBytes);
  parser.body_limit(post.max_reply_bytes);
  if (auto ec = exchange.step([&](auto handler) { http::async_read(stream, buffer, parser, handler); }))
    return failed(ec == http::error::body_limit ? "reply too large" : "read", ec);
  auto& reply = parser.get();
  return {HttpReply{reply.result_int(), std::string(reply[http::field::content_type]), std::move(reply.body())}, {}};
}

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

HttpOutcome post_tls(Exchange& exchange, const ServiceUrl& url, ssl::context& tls, const HttpPost& post) {
  beast::ssl_stream<beast::tcp_stream> stream(exchange.io(), tls);
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  // SNI names a host; RFC 6066 §3 leaves IP addresses out.
  if (!is_ip_address(url.host) && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
    return {std::nullopt, "tls: cannot set the server name"};
  if (auto ec = connect(exchange, url, beast::get_lowest_layer(stream))) return failed("connect", ec);
  if (auto ec = exchange.step([&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); }))
    return failed("tls handshake", ec);
  return write_and_read(exchange, stream, url, post);
}

HttpOutcome post_plain(Exchange& exchange, const ServiceUrl& url, const HttpPost& post) {
  beast::tcp_stream stream(exchange.io());
  if (auto ec = connect(exchange, url, stream)) return failed("connect", ec);
  return write_and_read(exchange, stream, url, post);
}

}  // namespace

HttpOutcome post_json(const ServiceUrl& url, ssl::context* tls, const HttpPost& post,
                      Clock::time_point deadline) noexcept {
  try {
    Exchange exchange(deadline);
    if (url.tls) return tls ? post_tls(exchange, url, *tls, post) : HttpOutcome{std::nullopt, "tls: no context"};
    return post_plain(exchange, url, post);
  } catch (...) {
    return {std::nullopt, "internal error"};  // fits the small-string buffer: cannot throw in turn
  }
}

}  // namespace session_clock::worker::livekit
