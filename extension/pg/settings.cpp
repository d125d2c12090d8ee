// Pure core headers before postgres.h (which settings.hpp brings).
#include "../core/kernel_clock.hpp"
#include "settings.hpp"

#include <algorithm>
#include <string_view>

namespace session_clock::pg {
namespace {

int default_min_participants = core::GraceConfig{}.min_participants;
int default_grace_ms = core::GraceConfig{}.grace_ms;
char* server_label_setting = nullptr;

constexpr std::size_t kMaxServerLabelChars = 64;

// Printable ASCII only: the label goes into JSON whatever the database's
// encoding.
bool check_server_label(char** value, void**, GucSource) {
  std::string_view label = *value ? *value : "";
  bool printable = std::all_of(label.begin(), label.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (!label.empty() && label.size() <= kMaxServerLabelChars && printable) return true;
  GUC_check_errdetail("session_clock.server_label must be 1 to 64 printable ASCII characters.");
  return false;
}

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
    // Shown to anyone, anon included: the operator's choice of name, never
    // the host's own.
    DefineCustomStringVariable("session_clock.server_label",
                               "The `server` that session_clock.server_time_status() reports.",
                               "Shown to every caller, anon included.", &server_label_setting,
                               core::kDefaultServerLabel, PGC_SUSET, 0, check_server_label, nullptr, nullptr);
    MarkGUCPrefixReserved("session_clock");
  });
}

std::string server_label() { return server_label_setting ? server_label_setting : core::kDefaultServerLabel; }

core::GraceConfig grace_config(const StoredSession& stored) {
  return {stored.min_participants.value_or(default_min_participants), stored.grace_ms.value_or(default_grace_ms)};
}

}  // namespace session_clock::pg
