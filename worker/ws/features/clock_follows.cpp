#include "ws/features/clock_follows.hpp"

#include <vector>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

namespace error_code = protocol::error_code;

ClockFollows::ClockFollows(Outbox& out, const Identity& identity, db::ClockQueries& queries, ClockHub& hub,
                           const ServerClock& clock, std::size_t max_follows)
    : out_(out), identity_(identity), queries_(queries), hub_(hub), clock_(clock), max_follows_(max_follows) {}

void ClockFollows::follow(const std::string& id, bool recheck) {
  nlohmann::json ref = {{"t", protocol::message_type::kSubscribeClock}, {"sessionId", id}};
  if (!identity_.token()) return out_.send_error(error_code::kUnauthorized, "send AUTH with a token first", ref);
  auto followed = clocks_.find(id);
  if (!recheck && followed != clocks_.end()) {
    if (followed->second) out_.send(followed->second->frame);  // already following: the state again, no query
    return;
  }
  if (!recheck && checks_.count(id)) return;  // its answer is on the way
  // Re-checks are bounded by the follows they re-check, and must not be
  // skipped: a skipped one would leave the clock with no confirmed access.
  if (!recheck && checks_.size() >= kMaxChecksInFlight)
    return out_.send_error(error_code::kRateLimited, "too many subscriptions being checked: wait for answers", ref);
  if (!recheck && clocks_.size() + checks_.size() >= max_follows_)
    return out_.send_error(error_code::kForbidden, "too many clock subscriptions on this connection", ref);
  std::uint64_t generation = ++generation_;
  checks_[id] = generation;
  queries_.fetch(id, out_.completion<db::ClockRead>([this, id, ref, generation](db::ClockRead read) {
    if (!current(id, generation)) return;
    if (!read.error.empty()) return refuse(id, error_code::kUnavailable, "the database is unavailable; retry", ref);
    if (!read.state) return refuse(id, error_code::kNotFound, "no session " + id, ref);
    if (identity_.token()->is_service_role()) return grant(id, *read.state, read.grace);
    check_access(id, generation, ref, *read.state, read.grace);
  }));
}

// The second check: the extension's rule, asked with the user's claims.
void ClockFollows::check_access(const std::string& id, std::uint64_t generation, nlohmann::json ref,
                                const core::ClockState& state, const core::GraceState& grace) {
  auto answered = [this, id, ref, generation, state, grace](db::AccessRead access) {
    if (!current(id, generation)) return;
    if (!access.error.empty()) return refuse(id, error_code::kUnavailable, "the database is unavailable; retry", ref);
    if (!access.access) return refuse(id, error_code::kForbidden, "not a member of session " + id, ref);
    grant(id, state, grace);
  };
  queries_.check_access(id, identity_.token()->claims_json, out_.completion<db::AccessRead>(answered));
}

bool ClockFollows::current(const std::string& id, std::uint64_t generation) const {
  auto it = checks_.find(id);
  return !ended_ && it != checks_.end() && it->second == generation;
}

void ClockFollows::grant(const std::string& id, const core::ClockState& state, const core::GraceState& grace) {
  checks_.erase(id);
  bool newly = clocks_.emplace(id, nullptr).second;
  auto frame = std::make_shared<const std::string>(protocol::clock_state(id, state, grace, clock_.now_ms()));
  deliver(std::make_shared<const ClockPush>(ClockPush{id, state.version, std::move(frame)}));
  if (newly) hub_.subscribe(id, out_.subscriber());
  if (watcher_) watcher_->followed(id);
}

// A failed check (a re-check that failed ends the follow), or a revocation.
void ClockFollows::refuse(const std::string& id, const char* code, std::string message, nlohmann::json ref) {
  checks_.erase(id);
  if (clocks_.erase(id)) hub_.unsubscribe(id, out_.key());
  if (watcher_) watcher_->dropped(id);
  out_.send_error(code, std::move(message), std::move(ref));
}

void ClockFollows::on_unsubscribe(const protocol::UnsubscribeClock& request) {
  stop(request.session_id);
  out_.send_text(protocol::unsubscribed(protocol::topic::kClock, {{"sessionId", request.session_id}}));
}

void ClockFollows::stop(const std::string& id) {
  checks_.erase(id);
  if (clocks_.erase(id)) hub_.unsubscribe(id, out_.key());
}

// The push itself is kept and queued: no copy of its id or frame per
// subscriber (the fan-out's hot path).
void ClockFollows::deliver(ClockPushPtr push) {
  auto it = clocks_.find(push->session_id);
  if (it == clocks_.end() || (it->second && push->version <= it->second->version)) return;  // not followed, or not newer
  it->second = push;
  out_.send_clock(std::move(push));
}

// Admins (service_role) keep their access; other users on this connection
// are not the removed one.
void ClockFollows::revoke(const std::string& id, const std::string& user) {
  const auto* token = identity_.token();
  if (!token || token->sub != user || token->is_service_role()) return;
  if (clocks_.count(id) || checks_.count(id) || (watcher_ && watcher_->holds(id)))
    refuse(id, error_code::kForbidden, "removed from session " + id, {{"sessionId", id}});
}

// Another user now: nothing is pushed for a clock until the new user's
// access to it is confirmed, and no answer to a check begun for the old one
// is applied (every check begins again, under a new generation).
void ClockFollows::identity_changed() {
  std::vector<std::string> ids;
  for (const auto& [id, clock] : clocks_) {
    ids.push_back(id);
    hub_.unsubscribe(id, out_.key());
  }
  for (const auto& [id, generation] : checks_) ids.push_back(id);
  clocks_.clear();
  checks_.clear();
  for (const auto& id : ids) follow(id, /*recheck=*/true);
}

void ClockFollows::end() {
  ended_ = true;
  for (const auto& [id, clock] : clocks_) hub_.unsubscribe(id, out_.key());
  clocks_.clear();
  checks_.clear();
}

}  // namespace session_clock::worker
