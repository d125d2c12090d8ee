#include "http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "http/query.hpp"
#include "http/static_files.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using http_target::path_of;

namespace {

constexpr std::string_view kLiveKitWebhookPath = "/webhooks/livekit";
constexpr std::string_view kPartyStatePath = "/api/party-state";

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, const HttpRoutes& routes, limits::ConnectionGate::Ticket place)
    : place_(std::move(place)), stream_(std::move(socket)), routes_(routes) {}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
}

void HttpSession::read() {
  parser_.emplace();
  parser_->body_limit(routes_.max_body_bytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(place_.spare() ? std::chrono::seconds(5) : std::chrono::seconds(30));
  http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->on_read(ec, 0);
    if (path_of(self->parser_->get().target()) == kLiveKitWebhookPath)
      self->parser_->body_limit(livekit::kMaxWebhookBodyBytes);
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  });
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) {
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec == http::error::body_limit)
    return respond(json_response(http::status::payload_too_large, 11, false, R"({"error":"request body too large"})"));
  if (ec) return;  // timeouts, resets, garbage: nothing to answer
  routes_.metrics.http_requests++;
  Request request = parser_->release();
  auto path = path_of(request.target());
  if (place_.spare()) return answer_at_capacity(request);
  if (beast::websocket::is_upgrade(request)) {
    auto version = request.version();
    auto refused = routes_.websocket.accept(stream_, std::move(request), place_);
    if (refused)
      respond(json_response(refused->status, version, false, nlohmann::json{{"error", refused->message}}.dump()));
    return;
  }
  if (path == kLiveKitWebhookPath && request.method() == http::verb::post) return on_webhook(std::move(request));
  if (path == kPartyStatePath && request.method() == http::verb::get) return on_party_state(std::move(request));
  respond(answer(request));
}

void HttpSession::on_party_state(Request request) {
  beast::error_code ec;
  auto peer = stream_.socket().remote_endpoint(ec);
  if (ec) return;  // the connection is gone
  PartyStateRequest asked{request.target(), peer.address(), request[http::field::forwarded],
                          request["X-Forwarded-For"]};
  routes_.party_state.lookup(asked, [self = shared_from_this(), version = request.version(),
                                     keep_alive = request.keep_alive()](PartyStateReply reply) {
    auto res = self->json_response(reply.status, version, keep_alive, std::move(reply.body));
    res.set(http::field::cache_control, "no-store");
    if (reply.retry_after.count() > 0) res.set(http::field::retry_after, std::to_string(reply.retry_after.count()));
    self->respond_later(std::move(res));
  });
}

void HttpSession::on_webhook(Request request) {
  if (!routes_.livekit)
    return respond(json_response(http::status::not_found, request.version(), request.keep_alive(),
                                 R"({"error":"LiveKit webhooks are not configured"})"));
  routes_.livekit->handle(std::string(request[http::field::authorization]), request.body(),
                          [self = shared_from_this(), version = request.version(),
                           keep_alive = request.keep_alive()](livekit::WebhookReply r) {
                            self->respond_later(self->json_response(static_cast<http::status>(r.status), version,
                                                                    keep_alive, std::move(r.body)));
                          });
}

HttpSession::Response HttpSession::answer(const Request& request) {
  Response res = json_response(http::status::ok, request.version(), request.keep_alive(), "");
  res.set(http::field::cache_control, "no-store");
  auto path = path_of(request.target());
  bool get = request.method() == http::verb::get;
  if (path == "/healthz" && get) {
    auto health = routes_.status.health();
    if (!health.ok) res.result(http::status::service_unavailable);
    res.body() = std::move(health.body);
  } else if (path == "/metrics" && get) {
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = routes_.status.metrics();
  } else if (path == "/timesync" && request.method() == http::verb::post) {
    routes_.metrics.pings++;
    auto body = protocol::jsonrpc_timesync_http(request.body(), routes_.clock.now_ms());
    if (!body) {
      res.result(http::status::bad_request);
      res.body() = R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}})";
    } else if (body->empty()) {
      res.result(http::status::no_content);  // only notifications: JSON-RPC answers nothing
    } else {
      res.body() = std::move(*body);
    }
  } else if (auto file = static_files::find(path); file && get) {
    static_files::fill_response(*file, request[http::field::if_none_match], res);
  } else {
    res.result(http::status::not_found);
    res.body() = R"({"error":"not found"})";
  }
  return res;
}

// Monitoring must still see a full worker; everyone else is told to come
// back, and the socket is given back either way.
void HttpSession::answer_at_capacity(const Request& request) {
  auto path = path_of(request.target());
  bool status_page = (path == "/healthz" || path == "/metrics") && request.method() == http::verb::get;
  Response res = status_page ? answer(request)
                             : json_response(http::status::service_unavailable, request.version(), false,
                                             R"({"error":"the server is at its connection limit: retry later"})");
  if (!status_page) {
    routes_.metrics.connections_refused++;
    res.set(http::field::retry_after, "5");
  }
  res.keep_alive(false);
  respond(std::move(res));
}

HttpSession::Response HttpSession::json_response(http::status status, unsigned version, bool keep_alive,
                                                 std::string body) const {
  Response res{status, version};
  res.set(http::field::server, "session-clock-worker");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  return res;
}

void HttpSession::respond_later(Response response) {
  net::post(stream_.get_executor(),
            [self = shared_from_this(), response = std::move(response)]() mutable { self->respond(std::move(response)); });
}

void HttpSession::respond(Response response) {
  response.prepare_payload();
  auto shared = std::make_shared<Response>(std::move(response));
  http::async_write(stream_, *shared, [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!shared->keep_alive()) {
      self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
      return;
    }
    self->read();
  });
}

}  // namespace session_clock::worker
