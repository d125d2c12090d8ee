#include "db/clock_queries.hpp"

#include "core/sql_error.hpp"
#include "db/pool.hpp"

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

const char* function_of(ClockRpc rpc) {
  switch (rpc) {
    case ClockRpc::start: return "session_clock_start";
    case ClockRpc::pause: return "session_clock_pause";
    case ClockRpc::resume: return "session_clock_resume";
    case ClockRpc::stop: return "session_clock_stop";
  }
  return "session_clock_pause";
}

// SET LOCAL ROLE and request.jwt.claims exactly as PostgREST sets them.
void act_as(pqxx::work& tx, const std::string& role, const std::string& claims_json) {
  tx.exec("SET LOCAL ROLE " + tx.quote_name(role));
  tx.exec_params("SELECT set_config('request.jwt.claims', $1, true)", claims_json);
}

}  // namespace

void ClockQueries::fetch(std::string session_id, std::function<void(ClockRead)> done) {
  pool_.run<ClockRead>(std::move(done), [id = std::move(session_id)](pqxx::connection& c, ClockRead& out) {
    pqxx::nontransaction tx(c);
    auto rows = tx.exec_params(kSelectClock, id);
    if (rows.empty()) return;
    out.state = clock_from_row(rows[0]);
    out.grace = grace_from_row(rows[0]);
  });
}

// The database's own rule, asked with the user's claims, in a transaction
// that only reads and is rolled back.
void ClockQueries::check_access(std::string session_id, std::string claims_json,
                                std::function<void(AccessRead)> done) {
  pool_.run<AccessRead>(std::move(done), [role = client_role_, id = std::move(session_id),
                                          claims = std::move(claims_json)](pqxx::connection& c, AccessRead& out) {
    pqxx::work tx(c);
    act_as(tx, role, claims);
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

void ClockQueries::change(ClockRpc rpc, std::string session_id, std::optional<std::string> reason, std::string role,
                          std::string claims_json, std::function<void(ClockChange)> done) {
  pool_.run<ClockChange>(std::move(done), [=](pqxx::connection& c, ClockChange& out) {
    bool takes_reason = rpc != ClockRpc::start;
    std::string sql = std::string("SELECT changed, version FROM ") + function_of(rpc) +
                      (takes_reason ? "($1::uuid, $2)" : "($1::uuid)");
    pqxx::work tx(c);
    try {
      act_as(tx, role, claims_json);
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
