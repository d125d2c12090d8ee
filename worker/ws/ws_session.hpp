// One WebSocket connection: reads frames, answers time sync at once, keeps
// the connection's identity and subscriptions, and writes through one
// bounded queue. Every handler runs on the connection's strand; other
// threads reach it only through push()/shutdown(), which post to it.
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
#include <unordered_map>
#include <unordered_set>

#include "auth/jwt_verifier.hpp"
#include "limits/rate_limiter.hpp"
#include "protocol/inbound.hpp"
#include "app/server_context.hpp"
#include "fanout/subscriber.hpp"

namespace session_clock::worker {

class WsSession : public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
  ~WsSession() override;

  // Completes the upgrade; identity is the access_token already verified.
  void run(boost::beast::http::request<boost::beast::http::string_body> request,
           std::optional<auth::VerifiedToken> identity);
  void push_clock(ClockPushPtr push) override;
  void push(Frame frame) override;
  void shutdown();  // close with 1001
  // The user was removed from the session: stop following it (thread-safe).
  void revoke(std::string session_id, std::string user);

 private:
  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(std::string_view text, double receive_ms);

  void on_time_ping(const protocol::TimePing& ping, double receive_ms);
  void on_legacy_sync(const protocol::LegacyTimeSync& request, double receive_ms);
  void on_jsonrpc(const protocol::JsonRpcTimesync& request);
  void on_subscribe_time(const protocol::SubscribeTime& request);
  void on_auth(const protocol::Auth& request);
  void on_subscribe_clock(const protocol::SubscribeClock& request, bool recheck = false);
  void on_unsubscribe_clock(const protocol::UnsubscribeClock& request);
  // Presence (ws_session_presence.cpp).
  void on_join_session(const protocol::JoinSession& request);
  void on_leave_session(const protocol::LeaveSession& request);
  void enter_session(const std::string& session_id);
  void leave_sessions();

  // START/PAUSE/RESUME/STOP_CLOCK (ws_session_commands.cpp).
  void on_clock_command(const protocol::ClockCommand& command);

  // Rooms (ws_session_rooms.cpp).
  void on_create_room(const protocol::CreateRoom& request);
  void on_join_room(const protocol::JoinRoom& request);
  void on_leave_room();
  void on_host_play(const protocol::HostPlay& request);
  void on_host_pause(const protocol::HostPause& request);
  void on_host_seek(const protocol::HostSeek& request);
  void on_host_stop(const protocol::HostStop& request);
  void on_ready(const protocol::Ready& request);
  void room_call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then);
  bool in_room(const nlohmann::json& ref);
  void enter_room(const protocol::RoomView& room);
  std::optional<std::string> lead_param() const;
  void become(auth::VerifiedToken identity);
  bool checking(const std::string& session_id, std::uint64_t generation) const;
  void grant_clock(const std::string& session_id, const core::ClockState& state, const core::GraceState& grace);
  void refuse_clock(const std::string& session_id, const char* code, std::string message, nlohmann::json ref);
  void deliver_clock(const std::string& session_id, std::int64_t version, Frame frame);

  // A frame, or one built when its write starts (send time stamped then).
  struct Outgoing {
    Frame frame;
    std::function<std::string(double send_ms)> stamp;
  };
  void send(Frame frame);
  void send_stamped(std::function<std::string(double send_ms)> build);
  void enqueue(Outgoing item);
  void send_text(std::string text);
  void send_error(const char* code, std::string message, nlohmann::json ref);
  void write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void close(boost::beast::websocket::close_code code, const char* reason);
  void send_close();
  void leave_everything();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  ServerContext& ctx_;
  boost::beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  limits::RateLimiter limiter_;
  std::optional<auth::VerifiedToken> identity_;
  boost::asio::steady_timer expiry_;
  struct FollowedClock {
    std::int64_t version = 0;  // the newest version sent
    Frame last;                // and its frame, re-sent on a repeated SUBSCRIBE_CLOCK
  };
  std::unordered_map<std::string, FollowedClock> clocks_;
  // Access checks in flight (each costs database queries), by generation.
  static constexpr std::size_t kMaxChecksInFlight = 4;
  std::unordered_map<std::string, std::uint64_t> checks_;
  // Presence: sessions joined (with the user it was reported for), and those
  // waiting for their access check to join.
  std::unordered_map<std::string, std::string> joined_;
  std::unordered_set<std::string> joining_;
  std::optional<std::string> room_;  // the playback room this connection is in
  double rtt_ms_ = -1;               // the client's own latest round trip (TIME_PING rttMs)
  std::uint64_t generation_ = 0;
  bool time_subscribed_ = false;
  bool accepted_ = false;
  bool closing_ = false;
  std::optional<boost::beast::websocket::close_reason> close_reason_;  // set once closing
  bool left_ = false;
};

}  // namespace session_clock::worker
