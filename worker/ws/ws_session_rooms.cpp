// WsSession's part in playback rooms (docs/protocol.md, Rooms): every
// request is one room RPC, asked as the worker for the token's user (p_as),
// so who may do what is the database's rule. The answer's state goes to the
// RoomHub, which tells this worker's members; other workers hear the NOTIFY.
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/room_frames.hpp"
#include "protocol/refusal.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
namespace error_code = protocol::error_code;

namespace {

std::optional<std::string> number(std::optional<double> value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace

void WsSession::room_call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then) {
  if (!identity_) return send_error(error_code::kUnauthorized, "send AUTH with a token first", ref);
  if (identity_->sub.empty())
    return send_error(error_code::kForbidden, "rooms need a user's token (with a sub claim)", ref);
  call.params.push_back(identity_->sub);  // p_as, every room RPC's last argument
  auto self = shared_from_this();
  ctx_.room_queries->call(std::move(call), [self, ref = std::move(ref), then = std::move(then)](db::RoomRead read) {
    net::post(self->ws_.get_executor(), [self, ref, then, read = std::move(read)] {
      if (self->closing_ || self->left_) return;
      if (!read.room) {
        auto [code, message] = refusal(read.error, read.sqlstate);
        if (std::string(code) == error_code::kUnavailable) spdlog::warn("rooms: [{}] {}", read.sqlstate, read.error);
        return self->send_error(code, message, ref);
      }
      then(protocol::room_view(*read.room));
    });
  });
}

bool WsSession::in_room(const nlohmann::json& ref) {
  if (room_) return true;
  send_error(error_code::kInvalidState, "join a room first", ref);
  return false;
}

std::optional<std::string> WsSession::lead_param() const {
  auto lead = ctx_.rooms->lead_ms(*room_);
  if (!lead) return std::nullopt;
  return std::to_string(*lead);
}

void WsSession::enter_room(const protocol::RoomView& room) {
  if (room_ && *room_ != room.code) ctx_.rooms->leave(*room_, this);
  room_ = room.code;
  send_text(protocol::room_state(room, ctx_.clock.now_ms()));
  ctx_.rooms->enter(room, weak_from_this(), this, identity_->sub, rtt_ms_);
}

void WsSession::on_create_room(const protocol::CreateRoom& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kCreateRoom}};
  room_call({"session_clock_room_create", {request.code}}, ref,
            [this](const protocol::RoomView& room) { enter_room(room); });
}

void WsSession::on_join_room(const protocol::JoinRoom& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kJoinRoom}};
  room_call({"session_clock_room_join", {request.code}}, ref, [this](const protocol::RoomView& room) {
    enter_room(room);
  });
}

void WsSession::on_leave_room() {
  nlohmann::json ref = {{"t", protocol::message_type::kLeaveRoom}};
  if (!room_) return send_text(protocol::left_room(""));
  std::string code = *room_;
  room_call({"session_clock_room_leave", {code}}, ref, [this, code](const protocol::RoomView& room) {
    ctx_.rooms->leave(code, this);
    if (room_ == code) room_.reset();
    send_text(protocol::left_room(code));
    ctx_.rooms->apply(room);  // the host here sees the member gone
  });
}

void WsSession::on_host_play(const protocol::HostPlay& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kHostPlay}};
  if (!in_room(ref)) return;
  auto optional = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  room_call({"session_clock_room_play",
             {*room_, request.track_url, optional(request.title), optional(request.filename),
              std::to_string(request.start_position_sec), lead_param(), request.request_id}},
            ref, [this](const protocol::RoomView& room) { ctx_.rooms->apply(room); });
}

void WsSession::on_host_pause(const protocol::HostPause& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kHostPause}};
  if (!in_room(ref)) return;
  room_call({"session_clock_room_pause", {*room_, number(request.position_sec), lead_param(), request.request_id}},
            ref, [this](const protocol::RoomView& room) { ctx_.rooms->apply(room); });
}

void WsSession::on_host_seek(const protocol::HostSeek& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kHostSeek}};
  if (!in_room(ref)) return;
  room_call({"session_clock_room_seek", {*room_, std::to_string(request.position_sec), lead_param(), request.request_id}},
            ref, [this](const protocol::RoomView& room) { ctx_.rooms->apply(room); });
}

void WsSession::on_host_stop(const protocol::HostStop& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kHostStop}};
  if (!in_room(ref)) return;
  room_call({"session_clock_room_stop", {*room_, request.request_id}}, ref,
            [this](const protocol::RoomView& room) { ctx_.rooms->apply(room); });
}

// READY never changes the schedule: the host is told who is ready.
void WsSession::on_ready(const protocol::Ready& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kReady}};
  if (!in_room(ref)) return;
  room_call({"session_clock_room_ready", {*room_, std::to_string(request.version)}}, ref,
            [this](const protocol::RoomView& room) { ctx_.rooms->apply(room); });
}

}  // namespace session_clock::worker
