// Queries, off the event loop: a small thread pool, each query on a pooled
// connection. Completion handlers run on a pool thread; callers post the
// result back to their own executor. A broken connection is dropped and the
// next query connects afresh, so the database coming back needs no restart.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock_model.hpp"
#include "core/grace_policy.hpp"
#include "protocol/room_frames.hpp"


namespace session_clock::worker::db {

// A clock row with its times in Unix-epoch microseconds; nullopt state: no
// such session. error set: the database could not answer.
struct ClockRead {
  std::optional<core::ClockState> state;
  core::GraceState grace;  // deadline in Unix-epoch microseconds
  std::string error;
};

// A statement's failure: message and SQLSTATE ("" when the database was not
// reached).
struct Failure {
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

// session_clock.livekit_event(): applied, pending (kept until the session
// starts), duplicate, unknown_session, ignored.
struct WebhookOutcome {
  std::string result;
  std::string error;
};

// session_clock_start/_pause/_resume/_stop as a client's user.
struct ClockChange {
  bool changed = false;
  std::int64_t version = 0;
  std::string error;
  std::string sqlstate;
};

// One room RPC (session_clock_room_*), called as the worker's own role for a
// user (p_as). params are the function's arguments in order; nullopt is NULL.
struct RoomCall {
  const char* function;  // e.g. "session_clock_room_play"
  std::vector<std::optional<std::string>> params;
  std::string change;    // what the caller asked for (play, pause, ...), for the fan-out
};
struct RoomRead {
  std::optional<protocol::RoomView> room;
  std::string error;
  std::string sqlstate;  // 42501 not allowed, P0002 no room, 22023 bad argument, ...
};

struct LiveKitEventRow {
  std::string event_id, event, session_id, room_sid, participant_sid, identity, room_name;
};

// session_clock.livekit_rooms_to_reconcile(): rooms holding LiveKit
// presence in open sessions, with the database's time before LiveKit is
// asked (Unix-epoch microseconds, handed back exactly to livekit_reconcile).
struct ReconcileRoom {
  std::string session_id, room_name;
  std::int64_t as_of_us = 0;
};
struct RoomsToReconcile {
  std::vector<ReconcileRoom> rooms;
  std::string error;
};
// session_clock.livekit_reconcile(): how many identities changed.
struct ReconcileOutcome {
  int changed = 0;
  std::string error;
};

// session_clock.stranded_sessions counted by problem (docs/grace.md).
struct StrandedCounts {
  std::int64_t running_without_deadline = 0;
  std::int64_t auto_paused_while_present = 0;
  std::string error;
};

// session_clock.caller_access() as the token's user sees it; nullopt: no access.
struct AccessRead {
  std::optional<std::string> access;
  std::string error;
};

class Database {
 public:
  Database(std::string url, std::string client_role, unsigned threads);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void fetch_clock(std::string session_id, std::function<void(ClockRead)> done);
  // Asks the extension, as client_role with these claims, what the user may do.
  void check_access(std::string session_id, std::string claims_json, std::function<void(AccessRead)> done);
  // Sends NOTIFY on the extension's channel (the listener's start-up self-test).
  void notify(std::string payload, std::function<void(std::string error)> done);

  // Presence and grace (extension 1.1), all as the worker's own role.
  void record_presence(std::string session_id, std::string participant_id, std::string worker_id, bool present,
                       std::function<void(Failure)> done);
  void heartbeat(std::string worker_id, int lease_ms, std::string description, std::function<void(Heartbeat)> done);
  void goodbye(std::string worker_id, std::function<void(std::string error)> done);
  void apply_due_deadlines(int limit, std::function<void(DeadlineSweep)> done);
  void livekit_event(LiveKitEventRow row, std::function<void(WebhookOutcome)> done);
  void livekit_rooms_to_reconcile(int limit, std::function<void(RoomsToReconcile)> done);
  // room_sid nullopt: the room no longer exists. participants_json: a JSON
  // array of {"sid","identity"} as LiveKit listed them.
  void livekit_reconcile(ReconcileRoom room, std::optional<std::string> room_sid,
                         std::string participants_json, std::function<void(ReconcileOutcome)> done);
  void count_stranded(std::function<void(StrandedCounts)> done);
  void room(RoomCall call, std::function<void(RoomRead)> done);
  // Runs a clock RPC exactly as PostgREST would for the token: SET LOCAL
  // ROLE (role: the token's, service_role or the client role) and
  // request.jwt.claims, so the extension's own rule decides; committed.
  // function is one of session_clock_start/_pause/_resume/_stop.
  void change_clock(const char* function, std::string session_id, std::optional<std::string> reason,
                    std::string role, std::string claims_json, std::function<void(ClockChange)> done);

  bool healthy() const { return healthy_.load(); }
  std::string last_error() const;
  void stop();

 private:
  template <typename Result, typename Work>
  void run(std::function<void(Result)> done, Work work);
  std::pair<std::unique_ptr<pqxx::connection>, bool> acquire();
  std::unique_ptr<pqxx::connection> open_pool_connection();
  void release(std::unique_ptr<pqxx::connection> conn);
  void record_error(const std::string& message);

  std::string url_;
  std::string client_role_;
  boost::asio::thread_pool pool_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::string last_error_;
  std::atomic<bool> healthy_{false};
  static constexpr int kMaxQueued = 1024;
  std::atomic<int> queued_{0};
};

// Opens a connection labelled as the worker in pg_stat_activity.
std::unique_ptr<pqxx::connection> open_connection(const std::string& url, const char* purpose);

}  // namespace session_clock::worker::db
