#include "settings.hpp"

namespace session_clock::pg {
namespace {

int default_min_participants = core::GraceConfig{}.min_participants;
int default_grace_ms = core::GraceConfig{}.grace_ms;

}  // namespace

void define_settings() {
  pg_call([] {
    // PGC_SUSET: only superusers (and ALTER DATABASE/ROLE ... SET by them)
    // change the database-wide defaults; a session's members change its own
    // values with session_clock_configure.
    DefineCustomIntVariable("session_clock.min_participants",
                            "Participants a tracked session needs before its clock gets a grace deadline.",
                            "0 switches auto-pause off. session_clock_configure overrides it per session.",
                            &default_min_participants, default_min_participants, 0, core::kMaxMinParticipants,
                            PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("session_clock.grace_ms",
                            "How long a tracked session may run below its minimum before it pauses.",
                            "session_clock_configure overrides it per session.", &default_grace_ms,
                            default_grace_ms, 0, core::kMaxGraceMs, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr,
                            nullptr);
    MarkGUCPrefixReserved("session_clock");
  });
}

core::GraceConfig grace_config(const StoredSession& stored) {
  return {stored.min_participants.value_or(default_min_participants), stored.grace_ms.value_or(default_grace_ms)};
}

}  // namespace session_clock::pg
