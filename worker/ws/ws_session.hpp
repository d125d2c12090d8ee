// One WebSocket connection's transport: reads frames within the size, JSON
// depth, rate and time limits, hands each message to its feature through the
// dispatch table (routes.hpp), and writes through one bounded queue, closing
// a client that can't keep up. In that queue a CLOCK_STATE or a time tick
// waiting to be written gives way to a newer one of its kind; nothing else
// is ever dropped. Frames must arrive whole: one at least every idle
// timeout (the server pings halfway), and a message begun within
// --frame-read-timeout-ms; bytes of an unfinished frame keep nothing open.
// Every close sends its close frame, reads what the client still sends
// until its answer, and only then (or after a grace period) closes the
// socket, so a client reads the code instead of a reset. Every handler runs on the connection's
// strand; other threads reach it only through push*(), revoke() and
// shutdown(), which post to it. What the connection does lives in its
// features (features.hpp).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "config/options.hpp"
#include "limits/connection_gate.hpp"
#include "limits/rate_limiter.hpp"
#include "metrics/metrics.hpp"
#include "time/server_clock.hpp"
#include "ws/features.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class SessionRegistry;

// What the upgrade settled before the handshake (ws/upgrade.hpp).
struct Opening {
  std::optional<auth::VerifiedToken> identity;  // an access_token already admitted
  std::optional<std::string> time_feed_zone;    // /ws/time/: the feed starts at once
  std::string client_address;                    // for per-address limits (http/client_address.hpp)
};

class WsSession : public Outbox, public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  // places: the socket's place in the connection caps (and its client's,
  // through a proxy), given back when the socket is closed.
  WsSession(boost::asio::ip::tcp::socket&& socket, const Limits& limits, SessionRegistry& registry,
            const FeatureServices& services, std::vector<limits::ConnectionGate::Ticket> places);
  ~WsSession() override;

  // Completes the upgrade, then opens the connection as `opening` says.
  void run(boost::beast::http::request<boost::beast::http::string_body> request, Opening opening);
  void shutdown();  // close with 1001 (thread-safe)
  // The user was removed from the session: stop following it (thread-safe).
  void revoke(std::string session_id, std::string user);
  // The user's latest connection to a single-device session (thread-safe).
  void device_claimed(std::string session_id, std::string user, std::string device, std::int64_t claim);

  // Subscriber (thread-safe)
  void push_clock(ClockPushPtr push) override;
  void push(Frame frame) override;
  void push_tick(Frame frame) override;

  // Outbox (on the strand, but post())
  void send(Frame frame) override;
  void send_clock(ClockPushPtr push) override;
  void send_stamped(std::function<std::string(double send_ms)> build) override;
  void send_error(const char* code, std::string message, nlohmann::json ref) override;
  void close(boost::beast::websocket::close_code code, const char* reason) override;
  void post(std::function<void()> fn) override;
  protocol::Trace answering() const override { return answering_; }
  void post_reply(protocol::Trace trace, std::function<void()> fn) override;
  std::shared_ptr<Outbox> self() override { return shared_from_this(); }
  boost::asio::any_io_executor executor() override { return ws_.get_executor(); }
  std::weak_ptr<Subscriber> subscriber() override { return weak_from_this(); }
  const Subscriber* key() const override { return this; }

 private:
  // A frame, a clock's push (its frame shared, not copied), or one built
  // when its write starts (send time stamped then), with the trace of the
  // message it answers, if that had one. A newer tick supersedes a tick, a
  // newer push of the same session a push.
  struct Outgoing {
    Frame frame;
    std::function<std::string(double send_ms)> stamp;
    protocol::Trace trace;
    ClockPushPtr clock;
    bool tick = false;
    const std::string& text() const { return frame ? *frame : *clock->frame; }
    bool superseded_by(const Outgoing& newer) const {
      return !trace && (tick ? newer.tick : clock && newer.clock && clock->session_id == newer.clock->session_id);
    }
  };
  static constexpr auto kCloseGrace = std::chrono::seconds(5);  // for a close handshake, then the socket is closed
  static constexpr auto kAbuseGrace = std::chrono::seconds(1);  // the same, for a client closed for misbehaving
  void on_accept(boost::beast::error_code ec, Opening opening);
  void read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_message(double receive_ms);
  void watch_frames();  // arms the timer for the next frame deadline
  void on_frame_timer();
  void on_control_frame();  // a ping or pong arrived
  void dispatch(std::string_view text, double receive_ms);
  void enqueue(Outgoing item);
  void send_tick(Frame frame);
  void drop_superseded(const Outgoing& newer);
  void close(boost::beast::websocket::close_code code, const char* reason, std::chrono::steady_clock::duration grace);
  void write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void send_close();
  void end();  // stops every fan-out to this connection (idempotent)

  std::vector<limits::ConnectionGate::Ticket> places_;  // outlives the socket
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::steady_timer frame_timer_;  // frame deadlines, then the close's grace
  std::chrono::steady_clock::time_point last_frame_;  // the latest complete frame
  std::optional<std::chrono::steady_clock::time_point> message_begun_;  // a message partly read since
  const Limits& limits_;
  SessionRegistry& registry_;
  Metrics& metrics_;
  const ServerClock& clock_;
  std::unique_ptr<Features> features_;
  boost::beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  protocol::Trace answering_;  // set while a traced message is answered
  limits::RateLimiter limiter_;
  bool counted_ = false;  // in metrics_.connections
  bool closing_ = false;
  bool ended_ = false;
  bool control_flood_ = false;  // a close for flooding with control frames is posted
  std::optional<boost::beast::websocket::close_reason> close_reason_;  // set once closing
};

}  // namespace session_clock::worker
