#include "ws/ws_session.hpp"

#include <spdlog/spdlog.h>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/time_update.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono;

namespace {

// The legacy dialect's advice to its clients on how often to sync.
constexpr double kRecommendedSyncIntervalMs = 30'000;

template <typename T>
constexpr bool always_false = false;

}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, ServerContext& ctx)
    : ws_(std::move(socket)),
      ctx_(ctx),
      limiter_(ctx.options.limits.rate_per_second, ctx.options.limits.rate_burst, ctx.options.limits.flood_strikes),
      expiry_(ws_.get_executor()) {}

WsSession::~WsSession() {
  if (accepted_) ctx_.metrics.connections--;
}

void WsSession::run(http::request<http::string_body> request, std::optional<auth::VerifiedToken> identity) {
  const auto& limits = ctx_.options.limits;
  websocket::stream_base::timeout timeout{seconds(10), limits.idle_timeout, /*keep_alive_pings=*/true};
  ws_.set_option(timeout);
  ws_.read_message_max(limits.max_message_bytes);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "session-clock-worker"); }));
  beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
  ws_.async_accept(request, [self = shared_from_this(), identity = std::move(identity)](beast::error_code ec) mutable {
    if (!ec && identity) self->become(std::move(*identity));
    self->on_accept(ec);
  });
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return spdlog::debug("ws: handshake failed: {}", ec.message());
  accepted_ = true;
  ctx_.metrics.connections++;
  ctx_.metrics.connections_total++;
  bool shutting_down;
  {
    std::lock_guard lock(ctx_.sessions_mutex);
    shutting_down = ctx_.shutting_down;
    if (!shutting_down) ctx_.sessions.emplace(this, weak_from_this());
  }
  if (shutting_down) return close(websocket::close_code::going_away, "server shutting down");
  read();
}

void WsSession::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
  double receive_ms = ctx_.clock.now_ms();  // stamped before anything else happens
  if (ec) {
    // Oversized frames: Beast has already failed the read with close code 1009.
    if (ec != websocket::error::closed) spdlog::debug("ws: read ended: {}", ec.message());
    return leave_everything();
  }
  auto admitted = limiter_.admit(steady_clock::now());
  if (!admitted.allowed) {
    buffer_.consume(buffer_.size());
    ctx_.metrics.rate_limited++;
    if (admitted.should_close) return close(websocket::close_code::policy_error, "message rate limit exceeded");
    send_error(protocol::error_code::kRateLimited, "too many messages: slow down", nullptr);
    return read();
  }
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    send_error(protocol::error_code::kBadMessage, "only text frames carry messages", nullptr);
    return read();
  }
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  handle(text, receive_ms);
  if (!closing_) read();
}

void WsSession::handle(std::string_view text, double receive_ms) {
  if (closing_ || left_) return;
  auto message = protocol::parse_inbound(text, ctx_.options.limits.max_json_depth);
  std::visit(
      [&](auto&& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, protocol::TimePing>) {
          ctx_.metrics.count_message(protocol::message_type::kTimePing);
          on_time_ping(m, receive_ms);
        } else if constexpr (std::is_same_v<T, protocol::LegacyTimeSync>) {
          ctx_.metrics.count_message(protocol::message_type::kLegacyTimeSyncRequest);
          on_legacy_sync(m, receive_ms);
        } else if constexpr (std::is_same_v<T, protocol::JsonRpcTimesync>) {
          ctx_.metrics.count_message(protocol::message_type::kJsonRpcTimesync);
          on_jsonrpc(m);
        } else if constexpr (std::is_same_v<T, protocol::SubscribeTime>) {
          ctx_.metrics.count_message(protocol::message_type::kSubscribeTime);
          on_subscribe_time(m);
        } else if constexpr (std::is_same_v<T, protocol::UnsubscribeTime>) {
          ctx_.metrics.count_message(protocol::message_type::kUnsubscribeTime);
          time_subscribed_ = false;
          ctx_.ticker->unsubscribe(this);
          send_text(protocol::unsubscribed(protocol::topic::kTime, nullptr));
        } else if constexpr (std::is_same_v<T, protocol::Auth>) {
          ctx_.metrics.count_message(protocol::message_type::kAuth);
          on_auth(m);
        } else if constexpr (std::is_same_v<T, protocol::SubscribeClock>) {
          ctx_.metrics.count_message(protocol::message_type::kSubscribeClock);
          on_subscribe_clock(m);
        } else if constexpr (std::is_same_v<T, protocol::UnsubscribeClock>) {
          ctx_.metrics.count_message(protocol::message_type::kUnsubscribeClock);
          on_unsubscribe_clock(m);
        } else if constexpr (std::is_same_v<T, protocol::ClockCommand>) {
          ctx_.metrics.count_message("other");
          on_clock_command(m);
        } else if constexpr (std::is_same_v<T, protocol::JoinSession>) {
          ctx_.metrics.count_message(protocol::message_type::kJoinSession);
          on_join_session(m);
        } else if constexpr (std::is_same_v<T, protocol::LeaveSession>) {
          ctx_.metrics.count_message(protocol::message_type::kLeaveSession);
          on_leave_session(m);
        } else if constexpr (std::is_same_v<T, protocol::CreateRoom>) {
          ctx_.metrics.count_message(protocol::message_type::kCreateRoom);
          on_create_room(m);
        } else if constexpr (std::is_same_v<T, protocol::JoinRoom>) {
          ctx_.metrics.count_message(protocol::message_type::kJoinRoom);
          on_join_room(m);
        } else if constexpr (std::is_same_v<T, protocol::LeaveRoom>) {
          ctx_.metrics.count_message(protocol::message_type::kLeaveRoom);
          on_leave_room();
        } else if constexpr (std::is_same_v<T, protocol::HostPlay>) {
          ctx_.metrics.count_message(protocol::message_type::kHostPlay);
          on_host_play(m);
        } else if constexpr (std::is_same_v<T, protocol::HostPause>) {
          ctx_.metrics.count_message(protocol::message_type::kHostPause);
          on_host_pause(m);
        } else if constexpr (std::is_same_v<T, protocol::HostSeek>) {
          ctx_.metrics.count_message(protocol::message_type::kHostSeek);
          on_host_seek(m);
        } else if constexpr (std::is_same_v<T, protocol::HostStop>) {
          ctx_.metrics.count_message(protocol::message_type::kHostStop);
          on_host_stop(m);
        } else if constexpr (std::is_same_v<T, protocol::Ready>) {
          ctx_.metrics.count_message(protocol::message_type::kReady);
          on_ready(m);
        } else if constexpr (std::is_same_v<T, protocol::ProtocolError>) {
          ctx_.metrics.count_message("invalid");
          send_error(m.code.c_str(), m.message, m.ref);
        } else {
          static_assert(always_false<T>, "unhandled message");
        }
      },
      message);
}

// Replies to pings are built when their write starts, so serverSendMs is the
// moment the frame goes to the socket even if other frames were queued first.
void WsSession::on_time_ping(const protocol::TimePing& ping, double receive_ms) {
  ctx_.metrics.pings++;
  if (ping.rtt_ms) {
    rtt_ms_ = *ping.rtt_ms;
    if (room_) ctx_.rooms->update_rtt(*room_, this, rtt_ms_);
  }
  auto health = ctx_.clock_health.read();
  send_stamped([ping, receive_ms, health](double send_ms) {
    return protocol::time_pong(ping, receive_ms, send_ms, health.sync_warning, health.max_error_ms);
  });
}

void WsSession::on_legacy_sync(const protocol::LegacyTimeSync& request, double receive_ms) {
  ctx_.metrics.pings++;
  auto health = ctx_.clock_health.read();
  send_stamped([request, receive_ms, health](double send_ms) {
    return protocol::legacy_time_sync_response(request, receive_ms, send_ms, kRecommendedSyncIntervalMs,
                                               health.sync_warning);
  });
}

void WsSession::on_jsonrpc(const protocol::JsonRpcTimesync& request) {
  ctx_.metrics.pings++;
  send_text(protocol::jsonrpc_timesync_result(request.id, ctx_.clock.now_ms()));
}

void WsSession::on_subscribe_time(const protocol::SubscribeTime& request) {
  if (!protocol::is_known_timezone(request.timezone))
    return send_error(protocol::error_code::kInvalidTimezone, "unknown time zone: " + request.timezone,
                      {{"t", protocol::message_type::kSubscribeTime}});
  time_subscribed_ = true;
  ctx_.ticker->subscribe(weak_from_this(), this, request.timezone);
  send_text(protocol::subscribed(protocol::topic::kTime, {{"timezone", request.timezone}}));
}

void WsSession::on_auth(const protocol::Auth& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kAuth}};
  if (!ctx_.verifier) return send_error(protocol::error_code::kUnauthorized, "authentication is not configured", ref);
  auto result = verify_token(ctx_, request.token);
  if (!result.token) return send_error(protocol::error_code::kUnauthorized, result.error, ref);
  auto previous = identity_;
  become(std::move(*result.token));
  send_text(protocol::auth_ok(identity_->sub, identity_->role, identity_->expires_at_s * 1000));
  // The same sub and role is the same identity (a refreshed token): only the
  // expiry moved; nothing is left, re-checked or re-joined. A different user:
  // every clock followed so far is checked again, and the previous user
  // leaves the sessions it joined; the new one joins them once its access is
  // confirmed.
  bool same_identity = previous && previous->sub == identity_->sub && previous->role == identity_->role;
  if (previous && !same_identity) {
    for (const auto& [id, user] : joined_) joining_.insert(id);
    leave_sessions();
    std::vector<std::string> ids;
    for (const auto& [id, clock] : clocks_) ids.push_back(id);
    for (const auto& id : ids) on_subscribe_clock({id}, /*recheck=*/true);
  }
}

// Adopts an identity and arms the close at its expiry (steady timer: a wall
// clock step can't stretch or cut a token's life by more than the step).
void WsSession::become(auth::VerifiedToken identity) {
  identity_ = std::move(identity);
  auto remaining = milliseconds(static_cast<std::int64_t>(identity_->expires_at_s * 1000 - ctx_.clock.now_ms()));
  expiry_.expires_after(std::max(remaining, milliseconds(0)));
  expiry_.async_wait([self = shared_from_this(), exp = identity_->expires_at_s](beast::error_code ec) {
    if (ec || !self->identity_ || self->identity_->expires_at_s != exp) return;
    self->close(websocket::close_code::policy_error, "token expired");
  });
}

// 1. Does the session exist (read as the worker)?  2. May this user see it
// (asked as the user)? Each check is tagged with a generation: a result that
// arrives after UNSUBSCRIBE, a newer check, or the connection's end is dropped.
void WsSession::on_subscribe_clock(const protocol::SubscribeClock& request, bool recheck) {
  const std::string& id = request.session_id;
  nlohmann::json ref = {{"t", protocol::message_type::kSubscribeClock}, {"sessionId", id}};
  if (!identity_) return send_error(protocol::error_code::kUnauthorized, "send AUTH with a token first", ref);
  auto followed = clocks_.find(id);
  if (!recheck && followed != clocks_.end()) {
    if (followed->second.last) send(followed->second.last);  // already following: the state again, no query
    return;
  }
  if (!recheck && checks_.count(id)) return;  // its answer is on the way
  if (checks_.size() >= kMaxChecksInFlight)
    return send_error(protocol::error_code::kRateLimited, "too many subscriptions being checked: wait for answers",
                      ref);
  if (!recheck && clocks_.size() + checks_.size() >= ctx_.options.limits.max_subscriptions)
    return send_error(protocol::error_code::kForbidden, "too many clock subscriptions on this connection", ref);
  std::uint64_t generation = ++generation_;
  checks_[id] = generation;
  auto self = shared_from_this();
  ctx_.clock_queries->fetch(id, [self, id, ref, generation](db::ClockRead read) {
    net::post(self->ws_.get_executor(), [self, id, ref, generation, read = std::move(read)] {
      if (!self->checking(id, generation)) return;
      if (!read.error.empty()) return self->refuse_clock(id, protocol::error_code::kUnavailable,
                                                         "the database is unavailable; retry", ref);
      if (!read.state) return self->refuse_clock(id, protocol::error_code::kNotFound, "no session " + id, ref);
      if (self->identity_->role == "service_role") return self->grant_clock(id, *read.state, read.grace);
      self->ctx_.clock_queries->check_access(
          id, self->identity_->claims_json,
          [self, id, ref, generation, state = *read.state, grace = read.grace](db::AccessRead access) {
            net::post(self->ws_.get_executor(), [self, id, ref, generation, state, grace, access = std::move(access)] {
              if (!self->checking(id, generation)) return;
              if (!access.error.empty())
                return self->refuse_clock(id, protocol::error_code::kUnavailable,
                                          "the database is unavailable; retry", ref);
              if (!access.access)
                return self->refuse_clock(id, protocol::error_code::kForbidden, "not a member of session " + id,
                                          ref);
              self->grant_clock(id, state, grace);
            });
          });
    });
  });
}

bool WsSession::checking(const std::string& session_id, std::uint64_t generation) const {
  if (closing_ || left_) return false;
  auto it = checks_.find(session_id);
  return it != checks_.end() && it->second == generation;
}

void WsSession::refuse_clock(const std::string& session_id, const char* code, std::string message,
                             nlohmann::json ref) {
  checks_.erase(session_id);
  joining_.erase(session_id);
  if (auto it = joined_.find(session_id); it != joined_.end()) {  // a re-check that failed
    ctx_.presence->leave(session_id, it->second);
    joined_.erase(it);
  }
  if (clocks_.erase(session_id)) ctx_.hub->unsubscribe(session_id, this);  // a re-check that failed
  send_error(code, std::move(message), std::move(ref));
}

// The user lost access to the session (a NOTIFY member_removed): its
// follow, its presence and any check still in flight for it end now, and the
// client is told why. Other users and admins on this connection are not it.
void WsSession::revoke(std::string session_id, std::string user) {
  net::post(ws_.get_executor(), [self = shared_from_this(), session_id = std::move(session_id),
                                 user = std::move(user)] {
    if (self->closing_ || self->left_ || !self->identity_ || self->identity_->sub != user ||
        self->identity_->role == "service_role")
      return;
    bool involved = self->clocks_.count(session_id) || self->checks_.count(session_id) ||
                    self->joining_.count(session_id) || self->joined_.count(session_id);
    if (involved)
      self->refuse_clock(session_id, protocol::error_code::kForbidden, "removed from session " + session_id,
                         {{"sessionId", session_id}});
  });
}

void WsSession::grant_clock(const std::string& session_id, const core::ClockState& state,
                            const core::GraceState& grace) {
  checks_.erase(session_id);
  bool newly = clocks_.emplace(session_id, FollowedClock{}).second;
  deliver_clock(session_id, state.version,
                std::make_shared<const std::string>(protocol::clock_state(session_id, state, grace, ctx_.clock.now_ms())));
  if (newly) ctx_.hub->subscribe(session_id, weak_from_this());
  if (joining_.erase(session_id)) enter_session(session_id);
}

void WsSession::on_unsubscribe_clock(const protocol::UnsubscribeClock& request) {
  checks_.erase(request.session_id);
  if (clocks_.erase(request.session_id)) ctx_.hub->unsubscribe(request.session_id, this);
  send_text(protocol::unsubscribed(protocol::topic::kClock, {{"sessionId", request.session_id}}));
}

void WsSession::push_clock(ClockPushPtr push) {
  net::post(ws_.get_executor(), [self = shared_from_this(), push = std::move(push)] {
    self->deliver_clock(push->session_id, push->version, push->frame);
  });
}

// Each version goes out at most once, newest wins.
void WsSession::deliver_clock(const std::string& session_id, std::int64_t version, Frame frame) {
  auto it = clocks_.find(session_id);
  if (it == clocks_.end() || version <= it->second.version) return;  // not followed, or not newer
  it->second.version = version;
  it->second.last = frame;
  send(std::move(frame));
}

void WsSession::push(Frame frame) {
  net::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)] { self->send(frame); });
}

void WsSession::shutdown() {
  net::post(ws_.get_executor(),
            [self = shared_from_this()] { self->close(websocket::close_code::going_away, "server shutting down"); });
}

// One bounded queue: a client that can't keep up is closed, never buffered
// without bound.
void WsSession::send(Frame frame) { enqueue({std::move(frame), nullptr}); }

void WsSession::send_stamped(std::function<std::string(double send_ms)> build) {
  enqueue({nullptr, std::move(build)});
}

void WsSession::enqueue(Outgoing item) {
  if (closing_) return;
  if (queue_.size() >= ctx_.options.limits.max_send_queue) {
    ctx_.metrics.queue_drops++;
    queue_.erase(queue_.begin() + 1, queue_.end());  // keep only the write in flight
    // That write may never finish if the client never reads: give it a
    // deadline, after which the socket is closed under it.
    beast::get_lowest_layer(ws_).expires_after(seconds(5));
    return close(websocket::close_code::policy_error, "client is too slow");
  }
  queue_.push_back(std::move(item));
  if (queue_.size() == 1) write();
}

void WsSession::send_text(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }

void WsSession::send_error(const char* code, std::string message, nlohmann::json ref) {
  ctx_.metrics.errors++;
  send_text(protocol::error({code, std::move(message), std::move(ref)}));
}

void WsSession::write() {
  Outgoing& next = queue_.front();
  if (next.stamp) next.frame = std::make_shared<const std::string>(next.stamp(ctx_.clock.now_ms()));
  ws_.text(true);
  ws_.async_write(net::buffer(*next.frame),
                  [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    queue_.clear();
    return leave_everything();
  }
  queue_.pop_front();
  if (!queue_.empty())
    write();
  else if (close_reason_)
    send_close();
}

// What was already queued (the errors explaining why) goes out first, then
// the close frame; send() accepts nothing new once closing.
void WsSession::close(websocket::close_code code, const char* reason) {
  if (closing_) return;
  closing_ = true;
  leave_everything();
  close_reason_ = websocket::close_reason(code, reason);
  if (queue_.empty()) send_close();
}

void WsSession::send_close() {
  ws_.async_close(*close_reason_, [self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  });
}

// Stops every fan-out to this connection (idempotent).
void WsSession::leave_everything() {
  if (left_) return;
  left_ = true;
  for (const auto& [id, clock] : clocks_) ctx_.hub->unsubscribe(id, this);
  clocks_.clear();
  checks_.clear();
  joining_.clear();
  leave_sessions();  // a closed or half-open (idle-timed-out) connection is a leave
  if (room_) ctx_.rooms->leave(*room_, this);  // still a member in the database: it may come back
  {
    std::lock_guard lock(ctx_.sessions_mutex);
    ctx_.sessions.erase(this);
  }
  if (time_subscribed_) ctx_.ticker->unsubscribe(this);
  expiry_.cancel();
}

}  // namespace session_clock::worker
