#include "ws/features/session_presence.hpp"

#include <algorithm>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

SessionPresence::SessionPresence(Outbox& out, const Identity& identity, ClockFollows& follows, PresenceTracker& tracker)
    : out_(out), identity_(identity), follows_(follows), tracker_(tracker), device_(tracker.new_device()) {}

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
  for (const auto& [id, user] : joined_) tracker_.leave(id, user, device_);
  joined_.clear();
  claims_.clear();
}

void SessionPresence::enter(const std::string& session_id) {
  if (!identity_.is_user()) return;
  const std::string& user = identity_.token()->sub;
  joined_.emplace(session_id, user);
  claims_[session_id] = Claims{};
  auto answered = out_.completion<std::optional<std::int64_t>>(
      [this, session_id](std::optional<std::int64_t> claim) { claimed(session_id, claim); });
  tracker_.join(session_id, user, {device_, std::move(answered)});
  out_.send_text(protocol::joined(session_id));
}

void SessionPresence::leave(const std::string& session_id) {
  claims_.erase(session_id);
  if (auto it = joined_.find(session_id); it != joined_.end()) {
    tracker_.leave(session_id, it->second, device_);
    joined_.erase(it);
  }
}

void SessionPresence::on_device_claimed(const std::string& session_id, const std::string& user,
                                        const std::string& device, std::int64_t claim) {
  auto joined = joined_.find(session_id);
  if (joined == joined_.end() || joined->second != user || device == device_) return;
  auto& claims = claims_[session_id];
  claims.newest_other = std::max(claims.newest_other, claim);
  supersede_if_older(session_id);
}

// nullopt: the session keeps no single device (or the claim failed for
// good); nothing to enforce.
void SessionPresence::claimed(const std::string& session_id, std::optional<std::int64_t> claim) {
  auto it = claims_.find(session_id);
  if (it == claims_.end()) return;  // left meanwhile
  if (!claim) {
    claims_.erase(it);
    return;
  }
  it->second.mine = claim;
  supersede_if_older(session_id);
}

void SessionPresence::supersede_if_older(const std::string& session_id) {
  auto it = claims_.find(session_id);
  if (it == claims_.end() || !it->second.mine || it->second.newest_other <= *it->second.mine) return;
  leave(session_id);
  out_.send_error(protocol::error_code::kSuperseded, "joined session " + session_id + " from another connection",
                  {{"t", protocol::message_type::kJoinSession}, {"sessionId", session_id}});
}

}  // namespace session_clock::worker
