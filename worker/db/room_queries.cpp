#include "db/room_queries.hpp"

#include <cstring>

#include "db/pool.hpp"

namespace session_clock::worker::db {
namespace {

RoomRow room_from_row(const pqxx::row& r) {
  auto text = [&](int i) { return r[i].is_null() ? std::string() : r[i].as<std::string>(); };
  RoomRow room;
  room.code = r[0].as<std::string>();
  room.host = r[1].as<std::string>();
  room.status = r[2].as<std::string>();
  room.track_url = text(3);
  room.title = text(4);
  room.filename = text(5);
  if (!r[6].is_null()) room.start_at_us = r[6].as<std::int64_t>();
  room.start_position_ms = r[7].is_null() ? 0 : r[7].as<double>();
  room.lead_ms = r[8].as<std::int32_t>();
  room.version = r[9].as<std::int64_t>();
  room.members = nlohmann::json::parse(r[10].as<std::string>(), nullptr, false);
  room.member_count = r[11].as<std::int32_t>();
  room.changed = r[12].as<bool>();
  return room;
}

// Creating a room without a code draws a random one: run twice, it would
// create two rooms. Every other room RPC is safe to repeat (request ids make
// the commands idempotent).
Retry retry_of(const RoomCall& call) {
  bool random_code = std::strcmp(call.function, "session_clock_room_create") == 0 &&
                     (call.params.empty() || !call.params.front());
  return random_code ? Retry::never : Retry::once;
}

}  // namespace

void RoomQueries::call(RoomCall call, std::function<void(RoomRead)> done) {
  Retry retry = retry_of(call);
  pool_.run<RoomRead>(std::move(done), [call = std::move(call)](pqxx::connection& c, RoomRead& out) {
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
    try {
      out.room = room_from_row(tx.exec_params1(sql, pqxx::prepare::make_dynamic_params(params)));
    } catch (const pqxx::sql_error& e) {
      out.sqlstate = sqlstate_of(e);
      throw;
    }
  }, retry);
}

}  // namespace session_clock::worker::db
