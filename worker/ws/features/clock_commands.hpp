// START_CLOCK, PAUSE_CLOCK, RESUME_CLOCK, STOP_CLOCK: the session clock RPCs
// for a browser whose app has no backend of its own, run exactly as
// PostgREST would run them for the token (its role, its claims): who may do
// what is the extension's rule, not the worker's. The answer is
// CLOCK_CHANGED; every follower, this connection included, then gets the
// CLOCK_STATE push.
#pragma once

#include <string>

#include "db/clock_queries.hpp"
#include "protocol/inbound.hpp"
#include "ws/features/identity.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class ClockCommands {
 public:
  // client_role: the role end users' calls run as (--client-role).
  ClockCommands(Outbox& out, const Identity& identity, db::ClockQueries& queries, std::string client_role)
      : out_(out), identity_(identity), queries_(queries), client_role_(std::move(client_role)) {}

  template <protocol::ClockAction A>
  void on(const protocol::ClockCommand<A>& command) {
    run(A, command.session_id, command.reason);
  }

 private:
  void run(protocol::ClockAction action, const std::string& session_id, const std::optional<std::string>& reason);

  Outbox& out_;
  const Identity& identity_;
  db::ClockQueries& queries_;
  std::string client_role_;
};

}  // namespace session_clock::worker
