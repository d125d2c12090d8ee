// The session clocks as the worker reads and drives them: a clock's row, who
// may follow it, and the clock RPCs run exactly as PostgREST would run them
// for a client's token.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/clock_model.hpp"
#include "core/grace_policy.hpp"

namespace session_clock::worker::db {

class Pool;

// A clock row with its times in Unix-epoch microseconds; nullopt state: no
// such session. error set: the database could not answer.
struct ClockRead {
  std::optional<core::ClockState> state;
  core::GraceState grace;  // deadline in Unix-epoch microseconds
  std::string error;
};

// session_clock.caller_access() as the token's user sees it; nullopt: no access.
struct AccessRead {
  std::optional<std::string> access;
  std::string error;
};

// The clock RPCs a client may drive (session_clock_start/_pause/_resume/_stop).
enum class ClockRpc { start, pause, resume, stop };

struct ClockChange {
  bool changed = false;
  std::int64_t version = 0;
  std::string error;
  std::string sqlstate;
};

class ClockQueries {
 public:
  // client_role: the role access checks run as (--client-role).
  ClockQueries(Pool& pool, std::string client_role) : pool_(pool), client_role_(std::move(client_role)) {}

  void fetch(std::string session_id, std::function<void(ClockRead)> done);
  // Asks the extension, as client_role with these claims, what the user may do.
  void check_access(std::string session_id, std::string claims_json, std::function<void(AccessRead)> done);
  // Runs the RPC as PostgREST would for the token: SET LOCAL ROLE (role: the
  // token's, service_role or the client role) and request.jwt.claims, so the
  // extension's own rule decides; committed.
  void change(ClockRpc rpc, std::string session_id, std::optional<std::string> reason, std::string role,
              std::string claims_json, std::function<void(ClockChange)> done);

 private:
  Pool& pool_;
  std::string client_role_;
};

}  // namespace session_clock::worker::db
