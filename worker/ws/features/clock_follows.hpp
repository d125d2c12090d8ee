// SUBSCRIBE_CLOCK / UNSUBSCRIBE_CLOCK: which session clocks this connection
// follows. A follow starts with two checks: does the session exist (read as
// the worker), and may this user see it (asked as the user, the extension's
// own rule). Each check carries a generation: an answer that arrives after
// UNSUBSCRIBE, a newer check or the connection's end is dropped. Followed
// clocks get every CLOCK_STATE the hub pushes, each version once, newest wins.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "db/clock_queries.hpp"
#include "fanout/clock_hub.hpp"
#include "protocol/inbound.hpp"
#include "time/server_clock.hpp"
#include "ws/features/identity.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class ClockFollows : public Identity::Observer {
 public:
  // Told when a follow is granted, and when one ends for lack of access
  // (refused on a re-check, or the member was removed).
  class Watcher {
   public:
    virtual ~Watcher() = default;
    virtual void followed(const std::string& session_id) = 0;
    virtual void dropped(const std::string& session_id) = 0;
    // Whether it holds something of the session (presence) even unfollowed.
    virtual bool holds(const std::string& session_id) const = 0;
  };

  ClockFollows(Outbox& out, const Identity& identity, db::ClockQueries& queries, ClockHub& hub,
               const ServerClock& clock, std::size_t max_follows);

  void watch(Watcher& watcher) { watcher_ = &watcher; }
  void on_subscribe(const protocol::SubscribeClock& request) { follow(request.session_id, false); }
  void on_unsubscribe(const protocol::UnsubscribeClock& request);
  // Starts following (JOIN_SESSION follows too); recheck: already followed, ask again.
  void follow(const std::string& session_id, bool recheck);
  void stop(const std::string& session_id);  // no longer followed, nothing said
  bool follows(const std::string& session_id) const { return clocks_.count(session_id) && !checking(session_id); }
  bool checking(const std::string& session_id) const { return checks_.count(session_id) > 0; }

  void deliver(ClockPushPtr push);  // from the hub, on the strand
  // The user lost access (NOTIFY member_removed): refused like a failed check.
  void revoke(const std::string& session_id, const std::string& user);
  void identity_changed() override;  // another user: every follow is checked again
  void end();

 private:
  void check_access(const std::string& session_id, std::uint64_t generation, nlohmann::json ref,
                    const core::ClockState& state, const core::GraceState& grace);
  bool current(const std::string& session_id, std::uint64_t generation) const;
  void grant(const std::string& session_id, const core::ClockState& state, const core::GraceState& grace);
  void refuse(const std::string& session_id, const char* code, std::string message, nlohmann::json ref);

  Outbox& out_;
  const Identity& identity_;
  db::ClockQueries& queries_;
  ClockHub& hub_;
  const ServerClock& clock_;
  std::size_t max_follows_;
  Watcher* watcher_ = nullptr;
  // Followed clocks and the newest state sent of each (null before the
  // first), re-sent on a repeated SUBSCRIBE_CLOCK.
  std::unordered_map<std::string, ClockPushPtr> clocks_;
  // Access checks in flight (each costs database queries), by generation.
  static constexpr std::size_t kMaxChecksInFlight = 4;
  std::unordered_map<std::string, std::uint64_t> checks_;
  std::uint64_t generation_ = 0;
  bool ended_ = false;
};

}  // namespace session_clock::worker
