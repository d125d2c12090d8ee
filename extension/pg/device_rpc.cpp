// Single-device sessions (1.3): session_clock.claim_device(p_session_id,
// p_participant_id, p_device). A worker calls it when a user joins a session
// over one of its connections (`p_device` names that connection). In a
// session configured with p_single_device the claim is recorded and numbered
// and every worker hears of it (NOTIFY device_claimed), so the user's other
// connections leave: the latest device wins. Elsewhere it does nothing.
#include <string>

#include "../core/arguments.hpp"
#include "../core/grace_policy.hpp"  // before any PostgreSQL header (via clock_store.hpp)
#include "../core/notification.hpp"
#include "../core/sql_error.hpp"
#include "sql_args.hpp"
#include "caller.hpp"
#include "clock_store.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

// The row lock of INSERT ... ON CONFLICT orders concurrent claims of one
// user in one session, so the numbers follow commit order, as the NOTIFYs do.
std::optional<std::int64_t> record_claim(const pg_uuid_t& id, const std::string& participant, const std::string& device) {
  static Statement upsert(
      "INSERT INTO session_clock.device_claims AS c (session_id, participant_id, device, claim) "
      "SELECT s.id, $2, $3, 1 FROM session_clock.sessions s "
      "WHERE s.id = $1 AND s.single_device AND s.ended_at IS NULL "
      "ON CONFLICT (session_id, participant_id) DO UPDATE "
      "SET device = excluded.device, claim = c.claim + 1, claimed_at = pg_catalog.clock_timestamp() "
      "RETURNING c.claim",
      {UUIDOID, TEXTOID, TEXTOID});
  Datum args[3] = {UUIDPGetDatum(const_cast<pg_uuid_t*>(&id)),
                   pg_call([&] { return CStringGetTextDatum(participant.c_str()); }),
                   pg_call([&] { return CStringGetTextDatum(device.c_str()); })};
  if (upsert.run(args, nullptr, false) == 0) return std::nullopt;  // not a single-device session (or ended)
  return DatumGetInt64(required_column(0, 1));
}

Datum claim(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  std::string participant = text_arg(fcinfo, 1, "p_participant_id");
  std::string device = text_arg(fcinfo, 2, "p_device");
  core::validate_participant_id(participant);
  core::validate_participant_param(device, "p_device");
  spi_connect();
  if (!identify_caller().admin)
    throw core::SqlError(core::sqlstate::kInsufficientPrivilege, "only workers and admins claim devices");
  auto number = record_claim(id, participant, device);
  if (number) send_notification(core::device_claimed_payload(uuid_text(id), participant, device, *number));
  spi_finish();
  if (!number) {
    fcinfo->isnull = true;
    return Datum(0);
  }
  return Int64GetDatum(*number);
}

}  // namespace
}  // namespace session_clock::pg

using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_claim_device) {
  return guard([&] { return session_clock::pg::claim(fcinfo); });
}
