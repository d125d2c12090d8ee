// Presence, leases and grace deadlines as the worker reports and applies
// them (extension 1.1+), all as the worker's own role: the grace rule itself
// runs in the database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace session_clock::worker::db {

class Pool;

// A statement's failure: message and SQLSTATE ("" when the database was not
// reached).
struct Failure {
  std::string error;
  std::string sqlstate;
};

// session_clock.claim_device(): the claim's number, nullopt when the session
// does not keep one device per user.
struct DeviceClaimed {
  std::optional<std::int64_t> claim;
  std::string error;
  std::string sqlstate;
};

// session_clock.worker_heartbeat(): registered = the lease row was created
// (again), so this worker's presence reports must be made again.
struct Heartbeat {
  bool registered = false;
  int expired_participants = 0;
  std::string error;
};

// session_clock.apply_due_deadlines(): how many were applied, and the
// milliseconds until the next pending deadline (none pending: nullopt).
struct DeadlineSweep {
  int applied = 0;
  std::optional<double> next_due_in_ms;
  std::string error;
};

// session_clock.stranded_sessions counted by problem (docs/grace.md).
struct StrandedCounts {
  std::int64_t running_without_deadline = 0;
  std::int64_t auto_paused_while_present = 0;
  std::string error;
};

// Each call is its own autocommit statement; an SQL error comes back with
// its SQLSTATE (the caller decides whether to retry).
class PresenceQueries {
 public:
  explicit PresenceQueries(Pool& pool) : pool_(pool) {}

  // A WebSocket client of this worker present or gone (source websocket).
  void record(std::string session_id, std::string participant_id, std::string worker_id, bool present,
              std::function<void(Failure)> done);
  // The user joined over `device` (extension 1.3; seed 003's single device).
  void claim_device(std::string session_id, std::string participant_id, std::string device,
                    std::function<void(DeviceClaimed)> done);
  void heartbeat(std::string worker_id, int lease_ms, std::string description, std::function<void(Heartbeat)> done);
  void goodbye(std::string worker_id, std::function<void(std::string error)> done);
  void apply_due_deadlines(int limit, std::function<void(DeadlineSweep)> done);
  void count_stranded(std::function<void(StrandedCounts)> done);

 private:
  Pool& pool_;
};

}  // namespace session_clock::worker::db
