#include "db/livekit_queries.hpp"

#include "db/pool.hpp"

namespace session_clock::worker::db {

void LiveKitQueries::event(LiveKitEventRow row, std::function<void(WebhookOutcome)> done) {
  pool_.run<WebhookOutcome>(std::move(done), [row = std::move(row)](pqxx::connection& c, WebhookOutcome& out) {
    pqxx::nontransaction tx(c);
    auto nullable = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    auto r = tx.exec_params1("SELECT session_clock.livekit_event($1, $2, $3::uuid, $4, $5, $6, $7)", row.event_id,
                             row.event, row.session_id, nullable(row.room_sid), nullable(row.participant_sid),
                             nullable(row.identity), nullable(row.room_name));
    out.result = r[0].as<std::string>();
  });
}

void LiveKitQueries::rooms_to_reconcile(int limit, std::function<void(RoomsToReconcile)> done) {
  pool_.run<RoomsToReconcile>(std::move(done), [limit](pqxx::connection& c, RoomsToReconcile& out) {
    pqxx::nontransaction tx(c);
    for (const auto& r : tx.exec_params("SELECT session_id, room_name, (extract(epoch FROM as_of) * 1000000)::int8 "
                                        "FROM session_clock.livekit_rooms_to_reconcile($1)",
                                        limit))
      out.rooms.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  });
}

void LiveKitQueries::reconcile(ReconcileRoom room, std::optional<std::string> room_sid, std::string participants_json,
                               std::function<void(ReconcileOutcome)> done) {
  pool_.run<ReconcileOutcome>(std::move(done), [=](pqxx::connection& c, ReconcileOutcome& out) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_params1(
        "SELECT session_clock.livekit_reconcile($1::uuid, $2, "
        "timestamptz 'epoch' + $3::int8 * interval '1 microsecond', $4, $5::jsonb)",
        room.session_id, room.room_name, room.as_of_us, room_sid ? room_sid->c_str() : nullptr, participants_json);
    out.changed = r[0].as<int>();
  });
}

}  // namespace session_clock::worker::db
