// WsSession's part in presence (docs/grace.md): JOIN_SESSION follows the
// clock and counts the token's user as present in the session; leaving, or
// the connection's end, stops counting it. The PresenceTracker reports to
// the database; the grace rule runs there.
#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

// JOIN_SESSION: follow the clock (the same access check as SUBSCRIBE_CLOCK)
// and count the token's user as present. Only end users are participants.
void WsSession::on_join_session(const protocol::JoinSession& request) {
  const std::string& id = request.session_id;
  nlohmann::json ref = {{"t", protocol::message_type::kJoinSession}, {"sessionId", id}};
  if (!identity_) return send_error(protocol::error_code::kUnauthorized, "send AUTH with a token first", ref);
  if (identity_->sub.empty())
    return send_error(protocol::error_code::kForbidden, "presence needs a user's token (with a sub claim)", ref);
  if (joined_.count(id)) return send_text(protocol::joined(id));
  if (clocks_.count(id) && !checks_.count(id)) return enter_session(id);  // access already confirmed
  joining_.insert(id);
  on_subscribe_clock({id});
  if (!checks_.count(id) && !clocks_.count(id)) joining_.erase(id);  // refused before any check
}

void WsSession::enter_session(const std::string& session_id) {
  if (identity_->sub.empty()) return;
  joined_.emplace(session_id, identity_->sub);
  ctx_.presence->join(session_id, identity_->sub);
  send_text(protocol::joined(session_id));
}

// LEAVE_SESSION: no longer present, and no longer following the clock.
void WsSession::on_leave_session(const protocol::LeaveSession& request) {
  const std::string& id = request.session_id;
  joining_.erase(id);
  if (auto it = joined_.find(id); it != joined_.end()) {
    ctx_.presence->leave(id, it->second);
    joined_.erase(it);
  }
  checks_.erase(id);
  if (clocks_.erase(id)) ctx_.hub->unsubscribe(id, this);
  send_text(protocol::left(id));
}

void WsSession::leave_sessions() {
  for (const auto& [id, user] : joined_) ctx_.presence->leave(id, user);
  joined_.clear();
}

}  // namespace session_clock::worker
