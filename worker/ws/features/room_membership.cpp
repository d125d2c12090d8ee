#include "ws/features/room_membership.hpp"

#include <spdlog/spdlog.h>

#include "core/sql_error.hpp"

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

// No such room, or one that admits no guests.
bool refused_guest(const db::RoomRead& read) {
  return read.sqlstate == core::sqlstate::kInsufficientPrivilege || read.sqlstate == core::sqlstate::kNoDataFound;
}

}  // namespace

std::optional<std::string> RoomMembership::user(const nlohmann::json& ref) {
  if (!identity_.token()) {
    out_.send_error(error_code::kUnauthorized, "send AUTH with a token first", ref);
    return std::nullopt;
  }
  if (!identity_.is_user()) {
    out_.send_error(error_code::kForbidden, "rooms need a user's token (with a sub claim)", ref);
    return std::nullopt;
  }
  return identity_.token()->sub;
}

std::optional<std::string> RoomMembership::member(const nlohmann::json& ref) {
  if (guest_) return guest_->id();
  return user(ref);
}

void RoomMembership::call(db::RoomCall call, nlohmann::json ref, std::function<void(const protocol::RoomView&)> then) {
  queries_.call(std::move(call), out_.completion<db::RoomRead>([this, ref, then = std::move(then)](db::RoomRead read) {
    answer(read, ref, then);
  }));
}

void RoomMembership::answer(const db::RoomRead& read, const nlohmann::json& ref,
                            const std::function<void(const protocol::RoomView&)>& then) {
  if (!read.room) {
    auto [code, message] = protocol::refusal(read.error, read.sqlstate);
    if (std::string(code) == error_code::kUnavailable) spdlog::warn("rooms: [{}] {}", read.sqlstate, read.error);
    return out_.send_error(code, message, ref);
  }
  then(protocol::room_view(*read.room));
}

void RoomMembership::command(const char* type, const std::function<db::RoomCall(const std::string& code)>& build,
                             bool guests_may) {
  nlohmann::json ref = {{"t", type}};
  if (!in_room(ref)) return;
  if (guest_ && !guests_may) return out_.send_error(error_code::kForbidden, "a guest does not control the room", ref);
  auto as = member(ref);
  if (!as) return;
  db::RoomCall rpc = build(*room_);
  rpc.params.push_back(*as);  // p_as, every command's last argument
  call(std::move(rpc), ref, [this](const protocol::RoomView& room) { hub_.apply(room); });
}

bool RoomMembership::in_room(const nlohmann::json& ref) {
  if (room_) return true;
  out_.send_error(error_code::kInvalidState, "join a room first", ref);
  return false;
}

// A guest's stay is one room: another, or one of its own, needs LEAVE_ROOM first.
bool RoomMembership::not_a_guest_elsewhere(const std::optional<std::string>& code, const nlohmann::json& ref) {
  if (!guest_ || code == guest_->code()) return true;
  out_.send_error(error_code::kInvalidState, "a guest is in one room at a time: send LEAVE_ROOM first", ref);
  return false;
}

std::optional<std::string> RoomMembership::lead_param(const std::string& code) const {
  auto lead = hub_.lead_ms(code);
  if (!lead) return std::nullopt;
  return std::to_string(*lead);
}

void RoomMembership::enter(const protocol::RoomView& room, const std::string& member) {
  if (room_ && *room_ != room.code) hub_.leave(*room_, out_.key());
  room_ = room.code;
  out_.send_text(protocol::room_state(room, clock_.now_ms()));
  hub_.enter(room, out_.subscriber(), out_.key(), member, rtt_ms_);
}

void RoomMembership::on_create(const protocol::CreateRoom& request) {
  nlohmann::json ref = {{"t", type::kCreateRoom}};
  if (!not_a_guest_elsewhere(std::nullopt, ref)) return;
  auto as = user(ref);
  if (!as) return;
  call({"session_clock_room_create", {request.code, *as, request.guests ? "true" : "false"}}, ref,
       [this, as = *as](const protocol::RoomView& room) { enter(room, as); });
}

void RoomMembership::on_join(const protocol::JoinRoom& request) {
  nlohmann::json ref = {{"t", type::kJoinRoom}};
  if (!not_a_guest_elsewhere(request.code, ref)) return;
  if (guest_ || !identity_.token()) return join_as_guest(request);
  auto as = user(ref);
  if (!as) return;
  call({"session_clock_room_join", {request.code, *as}}, ref,
       [this, as = *as](const protocol::RoomView& room) { enter(room, as); });
}

// No token: a guest, if the room admits guests and this address may have
// one more. Unknown rooms and rooms without guests answer alike, and both
// count against the address, so codes cannot be found by trying them.
void RoomMembership::join_as_guest(const protocol::JoinRoom& request) {
  nlohmann::json ref = {{"t", type::kJoinRoom}};
  std::shared_ptr<GuestSeat> seat = guest_;
  if (!seat) {
    auto verdict = guests_.enter(address_, std::chrono::steady_clock::now());
    if (verdict == limits::GuestGate::Verdict::too_many_failures)
      return out_.send_error(error_code::kRateLimited, "too many failed joins from this address: wait a minute", ref);
    if (verdict == limits::GuestGate::Verdict::too_many_guests)
      return out_.send_error(error_code::kLimitReached, "this address has as many guests as it may", ref);
    seat = std::make_shared<GuestSeat>(guests_, queries_, address_, request.code);
  }
  db::RoomCall rpc{"session_clock.room_join_guest",
                    {request.code, seat->id(), request.name,
                     std::to_string(guests_.limits().max_guests_per_room)}};
  auto done = out_.completion<db::RoomRead>([this, ref, seat](db::RoomRead read) {
    if (!read.room && refused_guest(read))
      return out_.send_error(error_code::kUnauthorized,
                             "no room with this code admits guests: check the code, or sign in", ref);
    answer(read, ref, [this, seat](const protocol::RoomView& room) {
      guest_ = seat;
      enter(room, seat->id());
    });
  });
  // Settled on the pool's thread, whether or not the connection is still
  // there to hear it: a seat joined leaves again when dropped, and a failure
  // counts even if the client closed at once.
  queries_.call(std::move(rpc), [seat, &gate = guests_, address = address_, done = std::move(done)](db::RoomRead read) {
    if (read.room) seat->joined();
    if (!read.room && refused_guest(read)) gate.failed(address, std::chrono::steady_clock::now());
    done(std::move(read));
  });
}

void RoomMembership::on_leave(const protocol::LeaveRoom&) {
  nlohmann::json ref = {{"t", type::kLeaveRoom}};
  if (!room_) return out_.send_text(protocol::left_room(""));
  std::string code = *room_;
  if (guest_) {  // the seat leaves the database when dropped
    hub_.leave(code, out_.key());
    room_.reset();
    guest_.reset();
    return out_.send_text(protocol::left_room(code));
  }
  auto as = user(ref);
  if (!as) return;
  call({"session_clock_room_leave", {code, *as}}, ref, [this, code](const protocol::RoomView& room) {
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
  command(
      type::kReady,
      [&](const std::string& code) -> db::RoomCall {
        return {"session_clock_room_ready", {code, std::to_string(request.version)}};
      },
      /*guests_may=*/true);
}

void RoomMembership::update_rtt(double rtt_ms) {
  rtt_ms_ = rtt_ms;
  if (room_) hub_.update_rtt(*room_, out_.key(), rtt_ms_);
}

void RoomMembership::end() {
  if (room_) hub_.leave(*room_, out_.key());
  guest_.reset();
}

}  // namespace session_clock::worker
