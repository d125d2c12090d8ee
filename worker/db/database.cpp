#include "db/database.hpp"

#include <boost/asio/post.hpp>
#include <pqxx/pqxx>

#include "core/notification.hpp"
#include "core/sql_error.hpp"
#include "db/connection_string.hpp"

namespace session_clock::worker::db {
namespace {

// Times as exact Unix microseconds (extract() is numeric: no float rounding).
constexpr const char* kSelectClock =
    "SELECT (extract(epoch FROM started_at) * 1000000)::int8, is_paused, total_paused_ms, "
    "(extract(epoch FROM last_state_change_at) * 1000000)::int8, "
    "(extract(epoch FROM ended_at) * 1000000)::int8, version, "
    "participants, (extract(epoch FROM grace_deadline_at) * 1000000)::int8, auto_paused, presence_tracked "
    "FROM session_clock.sessions WHERE id = $1::uuid";

core::ClockState clock_from_row(const pqxx::row& r) {
  core::ClockState s;
  s.started_at_us = r[0].as<std::int64_t>();
  s.is_paused = r[1].as<bool>();
  s.total_paused_ms = r[2].as<std::int64_t>();
  s.last_change_us = r[3].as<std::int64_t>();
  if (!r[4].is_null()) s.ended_at_us = r[4].as<std::int64_t>();
  s.version = r[5].as<std::int64_t>();
  return s;
}

core::GraceState grace_from_row(const pqxx::row& r) {
  core::GraceState g;
  g.participants = r[6].as<std::int32_t>();
  if (!r[7].is_null()) g.deadline_us = r[7].as<std::int64_t>();
  g.auto_paused = r[8].as<bool>();
  g.tracked = r[9].as<bool>();
  return g;
}

// libpqxx 6 throws insufficient_privilege without its SQLSTATE (other
// classes carry theirs): the type says it.
std::string sqlstate_of(const pqxx::sql_error& e) {
  if (e.sqlstate().empty() && dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return core::sqlstate::kInsufficientPrivilege;
  return e.sqlstate();
}

}  // namespace

std::unique_ptr<pqxx::connection> open_connection(const std::string& url, const char* purpose) {
  auto conn = std::make_unique<pqxx::connection>(with_connection_defaults(url));
  pqxx::nontransaction tx(*conn);
  tx.exec_params("SELECT set_config('application_name', $1, false)", std::string("session-clock-worker ") + purpose);
  return conn;
}

Database::Database(std::string url, std::string client_role, unsigned threads)
    : url_(std::move(url)), client_role_(std::move(client_role)), pool_(threads) {}

Database::~Database() { stop(); }

void Database::stop() {
  pool_.stop();
  pool_.join();
}

std::string Database::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void Database::record_error(const std::string& message) {
  std::lock_guard lock(mutex_);
  last_error_ = message;
}

// A pooled connection (reused = true) or a new one; connecting may throw,
// which run() reports like any other failure.
std::pair<std::unique_ptr<pqxx::connection>, bool> Database::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return {std::move(conn), true};
    }
  }
  return {nullptr, false};
}

// Pool connections give up on a statement after a few seconds: a hung
// database answers "unavailable" instead of holding a client forever.
std::unique_ptr<pqxx::connection> Database::open_pool_connection() {
  auto conn = open_connection(url_, "query");
  pqxx::nontransaction tx(*conn);
  tx.exec("SET statement_timeout = '5s'");
  return conn;
}

void Database::release(std::unique_ptr<pqxx::connection> conn) {
  if (!conn || !conn->is_open()) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(conn));
}

// Runs work(connection) on the pool. A pooled connection may have died
// while idle (server restart, pg_terminate_backend): then the work is tried
// once more on a fresh connection; the queries here are all safe to repeat.
// A full queue answers at once (the database is too slow to keep up), and
// nothing escapes the pool thread.
template <typename Result, typename Work>
void Database::run(std::function<void(Result)> done, Work work) {
  if (queued_.fetch_add(1) >= kMaxQueued) {
    queued_--;
    Result full;
    full.error = "too many database requests waiting";
    return done(std::move(full));
  }
  boost::asio::post(pool_, [this, done = std::move(done), work = std::move(work)]() mutable {
    Result result;
    for (int attempt = 0; attempt < 2; ++attempt) {
      result = Result{};
      auto [conn, reused] = acquire();
      try {
        if (!conn) conn = open_pool_connection();
        work(*conn, result);
        release(std::move(conn));
        healthy_ = true;
        break;
      } catch (const pqxx::broken_connection& e) {
        if (reused && attempt == 0) continue;  // a stale idle connection: try a fresh one
        result.error = e.what();
        healthy_ = false;
      } catch (const pqxx::sql_error& e) {
        result.error = e.what();  // the transaction rolled back; the connection is fine
        release(std::move(conn));
      } catch (const std::exception& e) {
        result.error = e.what();
        if (!conn || !conn->is_open()) healthy_ = false;
      }
      record_error(result.error);
      break;
    }
    queued_--;
    done(std::move(result));
  });
}

void Database::fetch_clock(std::string session_id, std::function<void(ClockRead)> done) {
  run<ClockRead>(std::move(done), [id = std::move(session_id)](pqxx::connection& c, ClockRead& out) {
    pqxx::nontransaction tx(c);
    auto rows = tx.exec_params(kSelectClock, id);
    if (rows.empty()) return;
    out.state = clock_from_row(rows[0]);
    out.grace = grace_from_row(rows[0]);
  });
}

// The database's own rule, asked with the user's claims: SET LOCAL ROLE and
// request.jwt.claims exactly as PostgREST would, in a transaction that only
// reads and is rolled back.
void Database::check_access(std::string session_id, std::string claims_json, std::function<void(AccessRead)> done) {
  run<AccessRead>(std::move(done), [this, id = std::move(session_id), claims = std::move(claims_json)](
                                       pqxx::connection& c, AccessRead& out) {
    pqxx::work tx(c);
    tx.exec("SET LOCAL ROLE " + tx.quote_name(client_role_));
    tx.exec_params("SELECT set_config('request.jwt.claims', $1, true)", claims);
    try {
      auto rows = tx.exec_params("SELECT session_clock.caller_access($1::uuid)", id);
      if (!rows.empty() && !rows[0][0].is_null()) out.access = rows[0][0].as<std::string>();
    } catch (const pqxx::sql_error& e) {
      // 42501 (no usable sub) is a refusal, not a database failure.
      if (sqlstate_of(e) != core::sqlstate::kInsufficientPrivilege) throw;
    }
    tx.abort();
  });
}

void Database::notify(std::string payload, std::function<void(std::string)> done) {
  struct Outcome {
    std::string error;
  };
  run<Outcome>([done = std::move(done)](Outcome o) { done(o.error); },
               [payload = std::move(payload)](pqxx::connection& c, Outcome&) {
                 pqxx::nontransaction tx(c);
                 tx.exec_params("SELECT pg_notify($1, $2)", std::string(core::kNotifyChannel), payload);
               });
}

// The presence and deadline calls change data: each runs in its own
// autocommit statement, and an SQL error is reported with its SQLSTATE (the
// caller decides whether to retry) rather than thrown.
void Database::record_presence(std::string session_id, std::string participant_id, std::string worker_id,
                               bool present, std::function<void(Failure)> done) {
  run<Failure>(std::move(done), [=](pqxx::connection& c, Failure& out) {
    pqxx::nontransaction tx(c);
    try {
      tx.exec_params("SELECT FROM session_clock.record_presence($1::uuid, $2, 'websocket', $3::uuid, $4)",
                     session_id, participant_id, worker_id, present);
    } catch (const pqxx::sql_error& e) {
      out.sqlstate = sqlstate_of(e);
      throw;
    }
  });
}

void Database::heartbeat(std::string worker_id, int lease_ms, std::string description,
                         std::function<void(Heartbeat)> done) {
  run<Heartbeat>(std::move(done), [=](pqxx::connection& c, Heartbeat& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1(
        "SELECT registered, expired_participants FROM session_clock.worker_heartbeat($1::uuid, $2, $3)", worker_id,
        lease_ms, description);
    out.registered = r[0].as<bool>();
    out.expired_participants = r[1].as<int>();
  });
}

void Database::goodbye(std::string worker_id, std::function<void(std::string)> done) {
  struct Outcome {
    std::string error;
  };
  run<Outcome>([done = std::move(done)](Outcome o) { done(o.error); },
               [worker_id = std::move(worker_id)](pqxx::connection& c, Outcome&) {
                 pqxx::nontransaction tx(c);
                 tx.exec_params("SELECT session_clock.worker_goodbye($1::uuid)", worker_id);
               });
}

void Database::apply_due_deadlines(int limit, std::function<void(DeadlineSweep)> done) {
  run<DeadlineSweep>(std::move(done), [limit](pqxx::connection& c, DeadlineSweep& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT applied, next_due_in_ms FROM session_clock.apply_due_deadlines($1)", limit);
    out.applied = r[0].as<int>();
    if (!r[1].is_null()) out.next_due_in_ms = r[1].as<double>();
  });
}

void Database::livekit_event(LiveKitEventRow row, std::function<void(WebhookOutcome)> done) {
  run<WebhookOutcome>(std::move(done), [row = std::move(row)](pqxx::connection& c, WebhookOutcome& out) {
    pqxx::nontransaction tx(c);
    auto nullable = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    auto r = tx.exec_params1("SELECT session_clock.livekit_event($1, $2, $3::uuid, $4, $5, $6, $7)", row.event_id,
                             row.event, row.session_id, nullable(row.room_sid), nullable(row.participant_sid),
                             nullable(row.identity), nullable(row.room_name));
    out.result = r[0].as<std::string>();
  });
}

void Database::livekit_rooms_to_reconcile(int limit, std::function<void(RoomsToReconcile)> done) {
  run<RoomsToReconcile>(std::move(done), [limit](pqxx::connection& c, RoomsToReconcile& out) {
    pqxx::nontransaction tx(c);
    for (const auto& r : tx.exec_params("SELECT session_id, room_name, (extract(epoch FROM as_of) * 1000000)::int8 "
                                        "FROM session_clock.livekit_rooms_to_reconcile($1)",
                                        limit))
      out.rooms.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  });
}

void Database::livekit_reconcile(ReconcileRoom room, std::optional<std::string> room_sid,
                                 std::string participants_json, std::function<void(ReconcileOutcome)> done) {
  run<ReconcileOutcome>(std::move(done), [=](pqxx::connection& c, ReconcileOutcome& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1(
        "SELECT session_clock.livekit_reconcile($1::uuid, $2, "
        "timestamptz 'epoch' + $3::int8 * interval '1 microsecond', $4, $5::jsonb)",
        room.session_id, room.room_name, room.as_of_us, room_sid ? room_sid->c_str() : nullptr, participants_json);
    out.changed = r[0].as<int>();
  });
}

void Database::count_stranded(std::function<void(StrandedCounts)> done) {
  run<StrandedCounts>(std::move(done), [](pqxx::connection& c, StrandedCounts& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec1(
        "SELECT count(*) FILTER (WHERE problem = 'running_without_deadline'), "
        "count(*) FILTER (WHERE problem = 'auto_paused_while_present') FROM session_clock.stranded_sessions");
    out.running_without_deadline = r[0].as<std::int64_t>();
    out.auto_paused_while_present = r[1].as<std::int64_t>();
  });
}

// The room RPCs all return session_clock.room_state; times come back as
// exact Unix microseconds.
void Database::room(RoomCall call, std::function<void(RoomRead)> done) {
  run<RoomRead>(std::move(done), [call = std::move(call)](pqxx::connection& c, RoomRead& out) {
    std::string placeholders;
    std::vector<const char*> params;
    for (std::size_t i = 0; i < call.params.size(); ++i) {
      placeholders += (i ? ", $" : "$") + std::to_string(i + 1);
      params.push_back(call.params[i] ? call.params[i]->c_str() : nullptr);
    }
    std::string sql = std::string("SELECT code, host, status, track_url, title, filename, "
                                  "(extract(epoch FROM start_at) * 1000000)::int8, start_position_ms, lead_ms, "
                                  "version, members::text, member_count, changed FROM ") +
                      call.function + "(" + placeholders + ")";
    pqxx::nontransaction tx(c);
    pqxx::row r;
    try {
      r = tx.exec_params1(sql, pqxx::prepare::make_dynamic_params(params));
    } catch (const pqxx::sql_error& e) {
      out.sqlstate = sqlstate_of(e);
      throw;
    }
    protocol::RoomView v;
    v.code = r[0].as<std::string>();
    v.host = r[1].as<std::string>();
    v.status = r[2].as<std::string>() == "preparing" ? "playing" : r[2].as<std::string>();
    v.track_url = r[3].is_null() ? "" : r[3].as<std::string>();
    v.title = r[4].is_null() ? "" : r[4].as<std::string>();
    v.filename = r[5].is_null() ? "" : r[5].as<std::string>();
    if (!r[6].is_null()) v.start_at_us = r[6].as<std::int64_t>();
    v.start_position_ms = r[7].is_null() ? 0 : r[7].as<double>();
    v.lead_ms = r[8].as<std::int32_t>();
    v.version = r[9].as<std::int64_t>();
    v.members = nlohmann::json::parse(r[10].as<std::string>(), nullptr, false);
    v.member_count = r[11].as<std::int32_t>();
    v.changed = r[12].as<bool>();
    v.change = call.change;
    out.room = std::move(v);
  });
}

void Database::change_clock(const char* function, std::string session_id, std::optional<std::string> reason,
                            std::string role, std::string claims_json, std::function<void(ClockChange)> done) {
  run<ClockChange>(std::move(done), [=](pqxx::connection& c, ClockChange& out) {
    bool takes_reason = std::string(function) != "session_clock_start";
    std::string sql = std::string("SELECT changed, version FROM ") + function +
                      (takes_reason ? "($1::uuid, $2)" : "($1::uuid)");
    pqxx::work tx(c);
    try {
      tx.exec("SET LOCAL ROLE " + tx.quote_name(role));
      tx.exec_params("SELECT set_config('request.jwt.claims', $1, true)", claims_json);
      auto r = takes_reason ? tx.exec_params1(sql, session_id, reason ? reason->c_str() : nullptr)
                            : tx.exec_params1(sql, session_id);
      out.changed = r[0].as<bool>();
      out.version = r[1].as<std::int64_t>();
    } catch (const pqxx::sql_error& e) {
      out.sqlstate = sqlstate_of(e);
      throw;
    }
    tx.commit();
  });
}

}  // namespace session_clock::worker::db
