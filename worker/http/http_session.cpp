#include "http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/kernel_clock.hpp"
#include "core/sql_error.hpp"
#include "protocol/outbound.hpp"
#include "protocol/room_frames.hpp"
#include "livekit/webhook_endpoint.hpp"
#include "http/static_files.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// The value of one query parameter (no percent-decoding needed for JWTs,
// whose alphabet is URL-safe).
std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

constexpr std::string_view kLiveKitWebhookPath = "/webhooks/livekit";

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, ServerContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
}

// The header first: the body limit depends on the route.
void HttpSession::read() {
  parser_.emplace();
  parser_->body_limit(ctx_.options.limits.max_http_body_bytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(std::chrono::seconds(30));
  http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->on_read(ec, 0);
    if (path_of(self->parser_->get().target()) == kLiveKitWebhookPath) self->parser_->body_limit(kMaxWebhookBodyBytes);
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  });
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) {
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec == http::error::body_limit) {
    Response res{http::status::payload_too_large, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"error":"request body too large"})";
    res.keep_alive(false);
    return respond(std::move(res));
  }
  if (ec) return;  // timeouts, resets, garbage: nothing to answer
  ctx_.metrics.http_requests++;
  Request request = parser_->release();
  if (beast::websocket::is_upgrade(request)) return upgrade(std::move(request));
  if (path_of(request.target()) == kLiveKitWebhookPath && request.method() == http::verb::post)
    return on_webhook(std::move(request));
  if (path_of(request.target()) == "/api/party-state" && request.method() == http::verb::get)
    return on_party_state(std::move(request));
  respond(route(request));
}

// The seed app's late-join call: the room's track and schedule, by code
// (the code is what a guest has; members are not listed here).
void HttpSession::on_party_state(Request request) {
  auto reply = [self = shared_from_this(), version = request.version(), keep_alive = request.keep_alive()](
                   http::status status, std::string body) {
    net::post(self->stream_.get_executor(), [self, version, keep_alive, status, body = std::move(body)] {
      Response res{status, version};
      res.set(http::field::server, "session-clock-worker");
      res.set(http::field::content_type, "application/json");
      res.set(http::field::cache_control, "no-store");
      res.keep_alive(keep_alive);
      res.body() = body;
      self->respond(std::move(res));
    });
  };
  auto code = query_parameter(request.target(), "code").value_or("");
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  bool valid = code.size() >= 4 && code.size() <= 12 &&
               std::all_of(code.begin(), code.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); });
  if (!valid) return reply(http::status::bad_request, R"({"error":"code: 4 to 12 letters or digits"})");
  ctx_.room_queries->call({"session_clock_room_state", {code}}, [reply, &clock = ctx_.clock](db::RoomRead read) {
    if (!read.room) {
      if (read.sqlstate == core::sqlstate::kNoDataFound) return reply(http::status::not_found, R"({"error":"no such room"})");
      return reply(http::status::service_unavailable, R"({"error":"the database is unavailable; retry"})");
    }
    auto r = protocol::room_view(*read.room);
    auto state = nlohmann::json::parse(protocol::room_state(r, clock.now_ms()));
    nlohmann::json body = {{"code", r.code}, {"currentTrack", state["currentTrack"]}, {"version", r.version},
                           {"serverNowMs", state["serverNowMs"]}};
    reply(http::status::ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

void HttpSession::on_webhook(Request request) {
  handle_livekit_webhook(
      ctx_, std::string(request[http::field::authorization]), request.body(),
      [self = shared_from_this(), version = request.version(), keep_alive = request.keep_alive()](WebhookReply r) {
        net::post(self->stream_.get_executor(), [self, version, keep_alive, r = std::move(r)] {
          Response res{static_cast<http::status>(r.status), version};
          res.set(http::field::server, "session-clock-worker");
          res.set(http::field::content_type, "application/json");
          res.keep_alive(keep_alive);
          res.body() = r.body;
          self->respond(std::move(res));
        });
      });
}

void HttpSession::upgrade(Request request) {
  auto refuse = [&](http::status status, std::string message) {
    Response res{status, request.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = nlohmann::json{{"error", std::move(message)}}.dump();
    res.keep_alive(false);
    respond(std::move(res));
  };
  if (path_of(request.target()) != "/ws") return refuse(http::status::not_found, "WebSocket endpoint is /ws");
  const auto& allowed = ctx_.options.allowed_origins;
  auto origin = request[http::field::origin];
  if (!allowed.empty() && !origin.empty() && std::find(allowed.begin(), allowed.end(), origin) == allowed.end())
    return refuse(http::status::forbidden, "origin not allowed");
  std::optional<auth::VerifiedToken> identity;
  if (auto token = query_parameter(request.target(), "access_token")) {
    auto result = verify_token(ctx_, *token);
    if (!result.token) return refuse(http::status::unauthorized, result.error);
    identity = std::move(result.token);
  }
  std::make_shared<WsSession>(stream_.release_socket(), ctx_)->run(std::move(request), std::move(identity));
}

HttpSession::Response HttpSession::route(const Request& request) {
  Response res{http::status::ok, request.version()};
  res.set(http::field::server, "session-clock-worker");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  auto path = path_of(request.target());
  bool db_up = ctx_.pool->healthy();
  bool listener_up = ctx_.listener->connected();
  if (path == "/healthz" && request.method() == http::verb::get) {
    auto clock = nlohmann::json::parse(core::to_json(core::read_kernel_clock_status()));
    bool ok = db_up && listener_up;
    if (!ok) res.result(http::status::service_unavailable);
    // Coarse on purpose: database error texts (hosts, roles) go to the log only.
    res.body() = nlohmann::json{{"status", ok ? "ok" : "degraded"},
                                {"database", {{"up", db_up}}},
                                {"listener", {{"up", listener_up}, {"reconnects", ctx_.listener->reconnects()}}},
                                {"clock", clock},
                                {"connections", ctx_.metrics.connections.load()},
                                {"workerId", ctx_.worker_id},
                                {"presence", {{"reported", ctx_.presence->size()}, {"pending", ctx_.presence->pending()}}},
                                {"serverNowMs", ctx_.clock.now_ms()}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else if (path == "/metrics" && request.method() == http::verb::get) {
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = ctx_.metrics.prometheus_text(ctx_.listener->reconnects(), db_up, listener_up);
  } else if (path == "/timesync" && request.method() == http::verb::post) {
    ctx_.metrics.pings++;
    auto body = protocol::jsonrpc_timesync_http(request.body(), ctx_.clock.now_ms());
    if (!body) {
      res.result(http::status::bad_request);
      res.body() = R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}})";
    } else if (body->empty()) {
      res.result(http::status::no_content);  // only notifications: JSON-RPC answers nothing
    } else {
      res.body() = std::move(*body);
    }
  } else if (auto file = static_files::find(path); file && request.method() == http::verb::get) {
    static_files::fill_response(*file, request[http::field::if_none_match], res);
  } else {
    res.result(http::status::not_found);
    res.body() = R"({"error":"not found"})";
  }
  res.prepare_payload();
  return res;
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
