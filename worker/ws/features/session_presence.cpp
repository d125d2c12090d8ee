#include "ws/features/session_presence.hpp"

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

SessionPresence::SessionPresence(Outbox& out, const Identity& identity, ClockFollows& follows, PresenceTracker& tracker)
    : out_(out), identity_(identity), follows_(follows), tracker_(tracker) {}

// Only end users are participants: a service token has no sub.
void SessionPresence::on_join(const protocol::JoinSession& request) {
  const std::string& id = request.session_id;
  nlohmann::json ref = {{"t", protocol::message_type::kJoinSession}, {"sessionId", id}};
  if (!identity_.token()) return out_.send_error(protocol::error_code::kUnauthorized, "send AUTH with a token first", ref);
  if (!identity_.is_user())
    return out_.send_error(protocol::error_code::kForbidden, "presence needs a user's token (with a sub claim)", ref);
  if (joined_.count(id)) return out_.send_text(protocol::joined(id));
  if (follows_.follows(id)) return enter(id);  // access already confirmed
  joining_.insert(id);
  follows_.follow(id, /*recheck=*/false);
  if (!follows_.checking(id) && !follows_.follows(id)) joining_.erase(id);  // refused before any check
}

// LEAVE_SESSION: no longer present, and no longer following the clock.
void SessionPresence::on_leave(const protocol::LeaveSession& request) {
  const std::string& id = request.session_id;
  joining_.erase(id);
  leave(id);
  follows_.stop(id);
  out_.send_text(protocol::left(id));
}

void SessionPresence::followed(const std::string& session_id) {
  if (joining_.erase(session_id)) enter(session_id);
}

void SessionPresence::dropped(const std::string& session_id) {
  joining_.erase(session_id);
  leave(session_id);
}

void SessionPresence::identity_changed() {
  for (const auto& [id, user] : joined_) joining_.insert(id);
  end();
}

void SessionPresence::end() {
  for (const auto& [id, user] : joined_) tracker_.leave(id, user);
  joined_.clear();
}

void SessionPresence::enter(const std::string& session_id) {
  if (!identity_.is_user()) return;
  const std::string& user = identity_.token()->sub;
  joined_.emplace(session_id, user);
  tracker_.join(session_id, user);
  out_.send_text(protocol::joined(session_id));
}

void SessionPresence::leave(const std::string& session_id) {
  if (auto it = joined_.find(session_id); it != joined_.end()) {
    tracker_.leave(session_id, it->second);
    joined_.erase(it);
  }
}

}  // namespace session_clock::worker
