#include <utility>
#include <vector>

#include "../core/arguments.hpp"  // before any PostgreSQL header
#include "../core/grace_policy.hpp"

#include "early_presence.hpp"
#include "presence_store.hpp"
#include "session_writer.hpp"
#include "spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
}

namespace session_clock::pg {
namespace {

Datum uuid_datum(const pg_uuid_t& id) { return UUIDPGetDatum(const_cast<pg_uuid_t*>(&id)); }

std::string text_column(std::uint64_t row, int col) {
  Datum value = required_column(row, col);
  return pg_call([&] { return std::string(TextDatumGetCString(value)); });
}

// The join a kept report stands for: logged with the reason its source
// would have given at the time.
const char* join_reason(Source source) { return source == Source::livekit ? "participant_joined" : "sql"; }

}  // namespace

bool early_presence_installed() {
  return pg_call([] {
    return OidIsValid(get_relname_relid("early_presence", get_namespace_oid("session_clock", false)));
  });
}

void lock_unborn_session(const pg_uuid_t& id) {
  static Statement lock("SELECT session_clock.lock_unborn_session($1)", {UUIDOID});
  Datum args[1] = {uuid_datum(id)};
  lock.run(args, nullptr, false);
}

EarlyReport put_early_presence(const pg_uuid_t& id, const std::string& participant_id, bool present) {
  static Statement put("SELECT changed, participants FROM session_clock.early_presence_put($1, $2, $3)",
                       {UUIDOID, TEXTOID, BOOLOID});
  Datum args[3] = {uuid_datum(id), pg_call([&] { return CStringGetTextDatum(participant_id.c_str()); }),
                   BoolGetDatum(present)};
  put.run(args, nullptr, false);
  return {DatumGetBool(required_column(0, 1)), DatumGetInt32(required_column(0, 2))};
}

std::optional<StoredSession> adopt_early_presence(const pg_uuid_t& id, const Caller& caller, core::Micros now_us) {
  if (!early_presence_installed()) return std::nullopt;  // schema before 1.3: nothing was kept
  lock_unborn_session(id);
  static Statement take("SELECT source, participant_id, present FROM session_clock.early_presence_take($1)",
                        {UUIDOID});
  Datum args[1] = {uuid_datum(id)};
  std::uint64_t n = take.run(args, nullptr, false);
  if (n == 0) return std::nullopt;  // nobody reported anything: a plain timer, as before 1.3
  std::vector<std::pair<Source, std::string>> present;
  for (std::uint64_t row = 0; row < n; ++row) {
    auto source = parse_source(text_column(row, 1));
    std::string participant = text_column(row, 2);
    // Rows edited by hand could hold what no report would: skipped, not fatal to the start.
    if (DatumGetBool(required_column(row, 3)) && source && core::is_valid_participant_id(participant))
      present.emplace_back(*source, std::move(participant));
  }
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw core::SqlError(core::sqlstate::kInternalError, "session_clock: the new session row is missing");
  SessionWriter writer(id, std::move(*stored), caller);
  // Presence was reported for it, so the grace rule applies from the start,
  // even when everyone reported has left again.
  writer.track();
  for (const auto& [source, participant] : present)
    change_presence(writer, PresenceKey{id, participant, source, {}}, true, join_reason(source), now_us);
  writer.react(now_us);
  return writer.stored();
}

}  // namespace session_clock::pg
