#include "ws/features/room_membership.hpp"

#include <spdlog/spdlog.h>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/refusal.hpp"

namespace session_clock::worker {

namespace error_code = protocol::error_code;
namespace type = protocol::message_type;

namespace {

std::optional<std::string> number(std::optional<double> value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

std::optional<std::string> optional(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

void RoomMembership::call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then) {
  if (!identity_.token()) return out_.send_error(error_code::kUnauthorized, "send AUTH with a token first", ref);
  if (!identity_.is_user())
    return out_.send_error(error_code::kForbidden, "rooms need a user's token (with a sub claim)", ref);
  call.params.push_back(identity_.token()->sub);  // p_as, every room RPC's last argument
  queries_.call(std::move(call), out_.completion<db::RoomRead>([this, ref, then = std::move(then)](db::RoomRead read) {
    if (!read.room) {
      auto [code, message] = protocol::refusal(read.error, read.sqlstate);
      if (std::string(code) == error_code::kUnavailable) spdlog::warn("rooms: [{}] {}", read.sqlstate, read.error);
      return out_.send_error(code, message, ref);
    }
    then(protocol::room_view(*read.room));
  }));
}

void RoomMembership::command(const char* type, const std::function<db::RoomCall(const std::string& code)>& build) {
  nlohmann::json ref = {{"t", type}};
  if (!in_room(ref)) return;
  call(build(*room_), ref, [this](const protocol::RoomView& room) { hub_.apply(room); });
}

bool RoomMembership::in_room(const nlohmann::json& ref) {
  if (room_) return true;
  out_.send_error(error_code::kInvalidState, "join a room first", ref);
  return false;
}

std::optional<std::string> RoomMembership::lead_param(const std::string& code) const {
  auto lead = hub_.lead_ms(code);
  if (!lead) return std::nullopt;
  return std::to_string(*lead);
}

void RoomMembership::enter(const protocol::RoomView& room) {
  if (room_ && *room_ != room.code) hub_.leave(*room_, out_.key());
  room_ = room.code;
  out_.send_text(protocol::room_state(room, clock_.now_ms()));
  hub_.enter(room, out_.subscriber(), out_.key(), identity_.token()->sub, rtt_ms_);
}

void RoomMembership::on_create(const protocol::CreateRoom& request) {
  call({"session_clock_room_create", {request.code}}, {{"t", type::kCreateRoom}},
       [this](const protocol::RoomView& room) { enter(room); });
}

void RoomMembership::on_join(const protocol::JoinRoom& request) {
  call({"session_clock_room_join", {request.code}}, {{"t", type::kJoinRoom}},
       [this](const protocol::RoomView& room) { enter(room); });
}

void RoomMembership::on_leave(const protocol::LeaveRoom&) {
  if (!room_) return out_.send_text(protocol::left_room(""));
  std::string code = *room_;
  call({"session_clock_room_leave", {code}}, {{"t", type::kLeaveRoom}}, [this, code](const protocol::RoomView& room) {
    hub_.leave(code, out_.key());
    if (room_ == code) room_.reset();
    out_.send_text(protocol::left_room(code));
    hub_.apply(room);  // the host here sees the member gone
  });
}

// Host commands act on the room this connection is in.
void RoomMembership::on_play(const protocol::HostPlay& request) {
  command(type::kHostPlay, [&](const std::string& code) -> db::RoomCall {
    return {"session_clock_room_play",
            {code, request.track_url, optional(request.title), optional(request.filename),
             std::to_string(request.start_position_sec), lead_param(code), request.request_id}};
  });
}

void RoomMembership::on_pause(const protocol::HostPause& request) {
  command(type::kHostPause, [&](const std::string& code) -> db::RoomCall {
    return {"session_clock_room_pause", {code, number(request.position_sec), lead_param(code), request.request_id}};
  });
}

void RoomMembership::on_seek(const protocol::HostSeek& request) {
  command(type::kHostSeek, [&](const std::string& code) -> db::RoomCall {
    return {"session_clock_room_seek",
            {code, std::to_string(request.position_sec), lead_param(code), request.request_id}};
  });
}

void RoomMembership::on_stop(const protocol::HostStop& request) {
  command(type::kHostStop, [&](const std::string& code) -> db::RoomCall {
    return {"session_clock_room_stop", {code, request.request_id}};
  });
}

// READY never changes the schedule: the host is told who is ready.
void RoomMembership::on_ready(const protocol::Ready& request) {
  command(type::kReady, [&](const std::string& code) -> db::RoomCall {
    return {"session_clock_room_ready", {code, std::to_string(request.version)}};
  });
}

void RoomMembership::update_rtt(double rtt_ms) {
  rtt_ms_ = rtt_ms;
  if (room_) hub_.update_rtt(*room_, out_.key(), rtt_ms_);
}

void RoomMembership::end() {
  if (room_) hub_.leave(*room_, out_.key());
}

}  // namespace session_clock::worker
