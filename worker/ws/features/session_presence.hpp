// JOIN_SESSION / LEAVE_SESSION: the token's user counted as present in a
// session through this connection (docs/grace.md). Joining follows the clock
// first (the same access check as SUBSCRIBE_CLOCK); leaving, the
// connection's end, a failed re-check or the member's removal stops counting
// it. The PresenceTracker reports to the database; the grace rule runs there.
//
// In a single-device session (seed 003) each join claims the session for
// this connection; when a claim of the same user's from another connection
// is newer than this one's, this connection is superseded: an ERROR
// `superseded`, and its presence ends (the clock stays followed). Claims are
// numbered in commit order, so every worker agrees which connection is the
// latest, whichever arrives first: the NOTIFY of a newer claim or this one's
// own answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "presence/presence_tracker.hpp"
#include "protocol/inbound.hpp"
#include "ws/features/clock_follows.hpp"
#include "ws/features/identity.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class SessionPresence : public Identity::Observer, public ClockFollows::Watcher {
 public:
  SessionPresence(Outbox& out, const Identity& identity, ClockFollows& follows, PresenceTracker& tracker);

  void on_join(const protocol::JoinSession& request);
  void on_leave(const protocol::LeaveSession& request);
  void followed(const std::string& session_id) override;
  void dropped(const std::string& session_id) override;
  bool holds(const std::string& session_id) const override {
    return joined_.count(session_id) || joining_.count(session_id);
  }
  // Another user: the previous one leaves; the new one joins once its access is confirmed.
  void identity_changed() override;
  // NOTIFY device_claimed: `device` is the user's latest connection to the session.
  void on_device_claimed(const std::string& session_id, const std::string& user, const std::string& device,
                         std::int64_t claim);
  void end();  // a closed or half-open (idle-timed-out) connection is a leave

 private:
  // A joined session's claims as this connection knows them.
  struct Claims {
    std::optional<std::int64_t> mine;  // unknown until the database answers
    std::int64_t newest_other = 0;     // the newest claim heard from another connection
  };
  void enter(const std::string& session_id);
  void leave(const std::string& session_id);
  void claimed(const std::string& session_id, std::optional<std::int64_t> claim);
  void supersede_if_older(const std::string& session_id);

  Outbox& out_;
  const Identity& identity_;
  ClockFollows& follows_;
  PresenceTracker& tracker_;
  std::unordered_map<std::string, std::string> joined_;  // session -> the user it was reported for
  std::unordered_set<std::string> joining_;              // waiting for the follow's access check
  std::unordered_map<std::string, Claims> claims_;       // joined single-device sessions (and those not yet known)
  const std::string device_;                             // this connection, as claims name it
};

}  // namespace session_clock::worker
