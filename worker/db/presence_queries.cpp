#include "db/presence_queries.hpp"

#include "db/pool.hpp"

namespace session_clock::worker::db {

void PresenceQueries::record(std::string session_id, std::string participant_id, std::string worker_id, bool present,
                             std::function<void(Failure)> done) {
  pool_.run<Failure>(std::move(done), [=](pqxx::connection& c, Failure& out) {
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

void PresenceQueries::claim_device(std::string session_id, std::string participant_id, std::string device,
                                   std::function<void(DeviceClaimed)> done) {
  pool_.run<DeviceClaimed>(std::move(done), [=](pqxx::connection& c, DeviceClaimed& out) {
    pqxx::nontransaction tx(c);
    try {
      auto claim = tx.exec_params1("SELECT session_clock.claim_device($1::uuid, $2, $3)", session_id,
                                   participant_id, device)[0];
      if (!claim.is_null()) out.claim = claim.as<std::int64_t>();
    } catch (const pqxx::sql_error& e) {
      out.sqlstate = sqlstate_of(e);
      throw;
    }
  });
}

void PresenceQueries::heartbeat(std::string worker_id, int lease_ms, std::string description,
                                std::function<void(Heartbeat)> done) {
  pool_.run<Heartbeat>(std::move(done), [=](pqxx::connection& c, Heartbeat& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1(
        "SELECT registered, expired_participants FROM session_clock.worker_heartbeat($1::uuid, $2, $3)", worker_id,
        lease_ms, description);
    out.registered = r[0].as<bool>();
    out.expired_participants = r[1].as<int>();
  });
}

void PresenceQueries::goodbye(std::string worker_id, std::function<void(std::string)> done) {
  pool_.run<Failure>([done = std::move(done)](Failure f) { done(f.error); },
                     [worker_id = std::move(worker_id)](pqxx::connection& c, Failure&) {
                       pqxx::nontransaction tx(c);
                       tx.exec_params("SELECT session_clock.worker_goodbye($1::uuid)", worker_id);
                     });
}

void PresenceQueries::apply_due_deadlines(int limit, std::function<void(DeadlineSweep)> done) {
  pool_.run<DeadlineSweep>(std::move(done), [limit](pqxx::connection& c, DeadlineSweep& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1("SELECT applied, next_due_in_ms FROM session_clock.apply_due_deadlines($1)", limit);
    out.applied = r[0].as<int>();
    if (!r[1].is_null()) out.next_due_in_ms = r[1].as<double>();
  });
}

void PresenceQueries::count_stranded(std::function<void(StrandedCounts)> done) {
  pool_.run<StrandedCounts>(std::move(done), [](pqxx::connection& c, StrandedCounts& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec1(
        "SELECT count(*) FILTER (WHERE problem = 'running_without_deadline'), "
        "count(*) FILTER (WHERE problem = 'auto_paused_while_present') FROM session_clock.stranded_sessions");
    out.running_without_deadline = r[0].as<std::int64_t>();
    out.auto_paused_while_present = r[1].as<std::int64_t>();
  });
}

}  // namespace session_clock::worker::db
