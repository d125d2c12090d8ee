// The clock RPCs: session_clock_start, _get, _pause, _resume, _stop.
//
// Each one: validate arguments, identify the caller, read the row (locked for
// changes, so concurrent calls serialise), check access, read the clock after
// the lock, let the pure core decide, write state + event + NOTIFY. An
// overdue grace deadline is applied first, as of the deadline (the person's
// pause then finds the clock already paused), and the grace rule has its say
// after the change (a resume below the minimum starts a new grace period).
#include <optional>
#include <string>

#include "../core/arguments.hpp"
#include "../core/clock_model.hpp"
#include "../core/grace_policy.hpp"
#include "../core/sql_error.hpp"
#include "sql_args.hpp"
#include "caller.hpp"
#include "clock_result.hpp"
#include "clock_store.hpp"
#include "early_presence.hpp"
#include "owner_rights.hpp"
#include "session_writer.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

using core::SqlError;

SqlError unknown_session(const pg_uuid_t& id) {
  return SqlError(core::sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
}

std::optional<std::string> reason_arg(FunctionCallInfo fcinfo, int n) {
  auto reason = optional_text_arg(fcinfo, n);
  if (reason) core::validate_reason(*reason);
  return reason;
}

using Apply = core::Transition (*)(const core::ClockState&, core::Micros);

Datum change_clock(FunctionCallInfo fcinfo, Apply apply, Access needed) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  auto reason = reason_arg(fcinfo, 1);
  spi_connect();
  Caller caller = identify_caller();
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw unknown_session(id);
  require_access(caller, id, needed);
  core::Micros now = server_now_us();  // after the lock: serialised callers see ordered times
  SessionWriter writer(id, *stored, caller);
  writer.settle(now);
  const char* why = reason ? reason->c_str() : nullptr;
  core::Transition change = apply(writer.session().clock, now);
  bool changed = change.changed;
  if (changed) {
    writer.write(core::manual_change(writer.session(), change, why));
    writer.react(now);
  } else if (apply == &core::pause) {
    // Pausing a clock the grace rule paused makes the pause this person's.
    auto held = core::hold(writer.session(), now, why);
    writer.write(held);
    changed = held.has_value();
  }
  spi_finish();
  return clock_result(fcinfo, id, writer.stored(), now, changed);
}

// The hot read path: an admin's call needs no SPI at all; an end user's
// needs it only for the membership check. A deadline that is due shows as
// the pause it is, whether or not a worker has written it yet. SECURITY
// INVOKER, with its owner's rights taken here (owner_rights.hpp).
Datum get_clock(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  OwnerRights rights(fcinfo);
  Caller caller = identify_caller();
  auto stored = load_session(id, Lock::none);
  if (!stored) throw unknown_session(id);
  if (!caller.admin) {
    spi_connect();
    require_access(caller, id, Access::participant);
    spi_finish();
  }
  core::Micros now = server_now_us();
  stored->session = core::as_of(stored->session, now);
  return clock_result(fcinfo, id, *stored, now, std::nullopt);
}

// Creates and starts the clock; the creator (if an end user) becomes host,
// and presence reported before the session existed is taken in.
// Starting an existing clock changes nothing; a stopped one can't restart.
Datum start_clock(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  spi_connect();
  Caller caller = identify_caller();
  core::Transition fresh = core::start(server_now_us());
  if (insert_clock(id, fresh.state)) {
    if (caller.sub) add_member(id, *caller.sub, "host");
    log_start(id, fresh, caller);
    StoredSession row;  // as inserted: untracked, default settings
    row.session.clock = fresh.state;
    // Presence reported before the session existed counts from its start.
    if (auto adopted = adopt_early_presence(id, caller, fresh.state.started_at_us)) row = std::move(*adopted);
    spi_finish();
    return clock_result(fcinfo, id, row, fresh.state.started_at_us, true);
  }
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw unknown_session(id);  // deleted by a concurrent transaction
  require_access(caller, id, Access::participant);
  if (stored->session.clock.ended())
    throw SqlError(core::sqlstate::kObjectNotInPrerequisiteState, "cannot start a stopped session clock",
                   "session " + uuid_text(id) + " was stopped; start a new session instead");
  core::Micros now = server_now_us();
  SessionWriter writer(id, *stored, caller);
  writer.settle(now);
  spi_finish();
  return clock_result(fcinfo, id, writer.stored(), now, false);
}

}  // namespace
}  // namespace session_clock::pg

using namespace session_clock;
using session_clock::pg::guard;
using session_clock::pg::Access;

SESSION_CLOCK_FUNCTION(session_clock_start) {
  return guard([&] { return pg::start_clock(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_get) {
  return guard([&] { return pg::get_clock(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_pause) {
  return guard([&] { return pg::change_clock(fcinfo, core::pause, Access::participant); });
}

SESSION_CLOCK_FUNCTION(session_clock_resume) {
  return guard([&] { return pg::change_clock(fcinfo, core::resume, Access::participant); });
}

SESSION_CLOCK_FUNCTION(session_clock_stop) {
  return guard([&] { return pg::change_clock(fcinfo, core::stop, Access::host); });
}
