#include "ws/ws_session.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "http/client_address.hpp"
#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "ws/routes.hpp"
#include "ws/session_registry.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono;

WsSession::WsSession(net::ip::tcp::socket&& socket, const Limits& limits, SessionRegistry& registry,
                     const FeatureServices& services, std::vector<limits::ConnectionGate::Ticket> places)
    : places_(std::move(places)),
      ws_(std::move(socket)),
      frame_timer_(ws_.get_executor()),
      limits_(limits),
      registry_(registry),
      metrics_(services.metrics),
      clock_(services.clock),
      features_(std::make_unique<Features>(*this, services)),
      limiter_(limits) {}

WsSession::~WsSession() {
  if (counted_) metrics_.connections--;
}

void WsSession::run(http::request<http::string_body> request, Opening opening) {
  websocket::stream_base::timeout timeout{seconds(10), limits_.idle_timeout, /*keep_alive_pings=*/true};
  ws_.set_option(timeout);
  // The size limit is ours (on_read): Beast's own would fail the read,
  // send 1009 and reset the connection while the client is still sending.
  ws_.read_message_max(0);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "session-clock-worker"); }));
  beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
  // Beast answers pings inside the read: without this they would cost a
  // write each and never meet the rate limit. A control frame is a frame:
  // a pong, answering the server's ping or not, keeps the connection.
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    last_frame_ = steady_clock::now();
    if (kind != websocket::frame_type::close) on_control_frame();
  });
  // Counted before the 101 goes out: a client that has read it must find
  // itself in the gauge (ConnectionLimitsTest reads it right after).
  counted_ = true;
  metrics_.connections++;
  ws_.async_accept(request, [self = shared_from_this(), opening = std::move(opening)](beast::error_code ec) mutable {
    self->on_accept(ec, std::move(opening));
  });
}

void WsSession::on_accept(beast::error_code ec, Opening opening) {
  if (ec) return spdlog::debug("ws: handshake failed: {}", ec.message());
  metrics_.connections_total++;
  if (!registry_.add(this, weak_from_this())) return close(websocket::close_code::going_away, "server shutting down");
  features_->rooms.opened_from(http_client::limit_key(opening.client_address));
  if (opening.identity) features_->identity.adopt(std::move(*opening.identity));
  if (opening.time_feed_zone) features_->ticks.start_feed(*opening.time_feed_zone);
  last_frame_ = steady_clock::now();
  watch_frames();
  read();
}

// Piece by piece, so that a message's size and time are known as it comes:
// never more than one byte past the limit is kept.
void WsSession::read() {
  ws_.async_read_some(buffer_, limits_.max_message_bytes + 1 - buffer_.size(),
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

// The timer waits for the nearest deadline: the message begun must be
// complete, or some frame must have come within the idle timeout. Frames
// that complete meanwhile move the deadline on, checked when it falls due.
void WsSession::watch_frames() {
  frame_timer_.expires_at(message_begun_ ? *message_begun_ + limits_.frame_read_timeout
                                         : last_frame_ + limits_.idle_timeout);
  frame_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->on_frame_timer();
  });
}

void WsSession::on_frame_timer() {
  if (closing_) {  // the close handshake had its time
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  auto now = steady_clock::now();
  if (message_begun_ && now >= *message_begun_ + limits_.frame_read_timeout)
    return close(websocket::close_code::policy_error, "message not complete within the frame read timeout", kAbuseGrace);
  if (!message_begun_ && now >= last_frame_ + limits_.idle_timeout)
    return close(websocket::close_code::policy_error, "no complete frame within the idle timeout", kAbuseGrace);
  watch_frames();
}

// Control frames spend the same budget as messages. A flood is closed from
// outside the read (a close cannot start inside Beast's callback).
void WsSession::on_control_frame() {
  auto admitted = limiter_.admit(steady_clock::now());
  if (admitted.allowed) return;
  metrics_.rate_limited++;
  if (!admitted.should_close || control_flood_) return;
  control_flood_ = true;
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close(websocket::close_code::policy_error, "message rate limit exceeded");
  });
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
  double receive_ms = clock_.now_ms();  // stamped before anything else happens
  if (ec) {
    if (ec != websocket::error::closed) spdlog::debug("ws: read ended: {}", ec.message());
    return end();
  }
  if (closing_) return;  // the close reads (and discards) what follows
  if (buffer_.size() > limits_.max_message_bytes) {
    buffer_.consume(buffer_.size());
    return close(websocket::close_code::too_big, "message too big");  // the close drains the rest
  }
  if (!ws_.is_message_done()) {
    if (!message_begun_) {
      message_begun_ = steady_clock::now();
      watch_frames();
    }
    return read();
  }
  message_begun_.reset();
  last_frame_ = steady_clock::now();
  on_message(receive_ms);
}

void WsSession::on_message(double receive_ms) {
  auto admitted = limiter_.admit(steady_clock::now());
  if (!admitted.allowed) {
    buffer_.consume(buffer_.size());
    metrics_.rate_limited++;
    if (admitted.should_close) return close(websocket::close_code::policy_error, "message rate limit exceeded");
    send_error(protocol::error_code::kRateLimited, "too many messages: slow down", nullptr);
    return read();
  }
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    send_error(protocol::error_code::kBadMessage, "only text frames carry messages", nullptr);
    return read();
  }
  // Read in place (no read is pending until read() below); what a message
  // keeps, its parse copies.
  const auto frame = buffer_.cdata();
  dispatch({static_cast<const char*>(frame.data()), frame.size()}, receive_ms);
  buffer_.consume(buffer_.size());
  if (!closing_) read();
}

// Every type has its route (routes.hpp), which names its counter too.
// A message with a trace is answered with it (protocol/trace.hpp).
void WsSession::dispatch(std::string_view text, double receive_ms) {
  if (closing_ || ended_) return;
  auto message = protocol::parse_inbound(text, limits_.max_json_depth);
  metrics_.count_message(message.index());
  auto* refused = std::get_if<protocol::ProtocolError>(&message);
  if (!refused || refused->code != protocol::error_code::kBadJson) {
    auto trace = protocol::read_trace(text, receive_ms);
    if (std::holds_alternative<protocol::TraceTooLarge>(trace))
      return send_error(protocol::error_code::kBadField,
                        "trace: at most " + std::to_string(protocol::kMaxTraceBytes) + " bytes of JSON", nullptr);
    answering_ = std::get<protocol::Trace>(std::move(trace));
  }
  routes()[message.index()].handle(*features_, message, receive_ms);
  answering_ = nullptr;
}

// The fan-out's hot path, once per subscriber per change: one post of the
// shared push, no std::function around it (post() would add one, and a
// second handler).
void WsSession::push_clock(ClockPushPtr push) {
  net::post(ws_.get_executor(), [self = shared_from_this(), push = std::move(push)]() mutable {
    if (!self->closing_ && !self->ended_) self->features_->follows.deliver(std::move(push));
  });
}

void WsSession::push(Frame frame) {
  post([this, frame = std::move(frame)] { send(frame); });
}

void WsSession::push_tick(Frame frame) {
  post([this, frame = std::move(frame)] { send_tick(frame); });
}

void WsSession::revoke(std::string session_id, std::string user) {
  post([this, session_id = std::move(session_id), user = std::move(user)] {
    features_->follows.revoke(session_id, user);
  });
}

void WsSession::device_claimed(std::string session_id, std::string user, std::string device, std::int64_t claim) {
  post([this, session_id = std::move(session_id), user = std::move(user), device = std::move(device), claim] {
    features_->presence.on_device_claimed(session_id, user, device, claim);
  });
}

void WsSession::shutdown() {
  net::post(ws_.get_executor(),
            [self = shared_from_this()] { self->close(websocket::close_code::going_away, "server shutting down"); });
}

void WsSession::post(std::function<void()> fn) { post_reply(nullptr, std::move(fn)); }

void WsSession::post_reply(protocol::Trace trace, std::function<void()> fn) {
  net::post(ws_.get_executor(), [self = shared_from_this(), trace = std::move(trace), fn = std::move(fn)] {
    if (self->closing_ || self->ended_) return;
    self->answering_ = trace;
    fn();
    self->answering_ = nullptr;
  });
}

// One bounded queue: a client that can't keep up is closed, never buffered
// without bound.
void WsSession::send(Frame frame) { enqueue({std::move(frame), nullptr, answering_, nullptr}); }

void WsSession::send_clock(ClockPushPtr push) { enqueue({nullptr, nullptr, answering_, std::move(push)}); }

void WsSession::send_tick(Frame frame) { enqueue({std::move(frame), nullptr, answering_, nullptr, /*tick=*/true}); }

void WsSession::send_stamped(std::function<std::string(double send_ms)> build) {
  enqueue({nullptr, std::move(build), answering_, nullptr});
}

void WsSession::send_error(const char* code, std::string message, nlohmann::json ref) {
  metrics_.errors++;
  send_text(protocol::error({code, std::move(message), std::move(ref)}));
}

void WsSession::enqueue(Outgoing item) {
  if (closing_) return;
  if (item.tick || item.clock) drop_superseded(item);
  if (queue_.size() >= limits_.max_send_queue) {
    metrics_.queue_drops++;
    queue_.erase(queue_.begin() + 1, queue_.end());  // keep only the write in flight
    // That write may never finish if the client never reads: the close's
    // grace closes the socket under it.
    return close(websocket::close_code::policy_error, "client is too slow");
  }
  queue_.push_back(std::move(item));
  if (queue_.size() == 1) write();
}

// The front is being written; what waits behind it of the same kind is
// superseded, unless it answers a traced message (its trace must come back).
// One at most: each newer one removed the one before.
void WsSession::drop_superseded(const Outgoing& newer) {
  if (queue_.size() < 2) return;
  auto it = std::find_if(queue_.begin() + 1, queue_.end(),
                         [&](const Outgoing& o) { return o.superseded_by(newer); });
  if (it == queue_.end()) return;
  queue_.erase(it);
  metrics_.frames_superseded++;
}

void WsSession::write() {
  Outgoing& next = queue_.front();
  if (next.stamp || next.trace) {
    double send_ms = clock_.now_ms();
    std::string text = next.stamp ? next.stamp(send_ms) : next.text();
    if (next.trace) text = protocol::with_trace(text, *next.trace, send_ms);
    next.frame = std::make_shared<const std::string>(std::move(text));
  }
  ws_.text(true);
  ws_.async_write(net::buffer(next.text()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    queue_.clear();
    return end();
  }
  queue_.pop_front();
  if (!queue_.empty())
    write();
  else if (close_reason_)
    send_close();
}

// What was already queued (the errors explaining why) goes out first, then
// the close frame; send() accepts nothing new once closing.
void WsSession::close(websocket::close_code code, const char* reason) { close(code, reason, kCloseGrace); }

// Beast's close sends the frame, then reads (and discards) what the client
// still sends until its close arrives, and only then closes the socket:
// closing with unread data would reset the connection, and the client would
// never read the code. `grace` bounds all of it.
void WsSession::close(websocket::close_code code, const char* reason, steady_clock::duration grace) {
  if (closing_) return;
  closing_ = true;
  end();
  close_reason_ = websocket::close_reason(code, reason);
  frame_timer_.expires_after(grace);
  frame_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->on_frame_timer();
  });
  if (queue_.empty()) send_close();
}

void WsSession::send_close() {
  ws_.async_close(*close_reason_, [self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  });
}

void WsSession::end() {
  if (ended_) return;
  ended_ = true;
  features_->end();
  registry_.remove(this);
}

}  // namespace session_clock::worker
