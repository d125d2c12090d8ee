// Pure core headers before postgres.h (which settings.hpp brings).
#include "../core/kernel_clock.hpp"
#include "settings.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

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

// The row of session_clock.settings; all unset before schema 1.3 (a newer
// library on a not yet updated schema) or without a row.
struct StoredDefaults {
  std::optional<std::int32_t> min_participants;
  std::optional<std::int32_t> grace_ms;
  std::optional<std::string> server_label;
};

// One scan of a one-row table, without SPI or an executor, as the session
// probe does (clock_store.cpp): it runs on every clock read that needs a
// default. No privilege check: anyone may read the defaults, as anyone may
// SHOW the settings (server_time_status() is anon's).
StoredDefaults read_stored_defaults() {
  return pg_call([]() -> StoredDefaults {
    StoredDefaults stored;
    Oid schema = get_namespace_oid("session_clock", true);
    Oid relid = OidIsValid(schema) ? get_relname_relid("settings", schema) : InvalidOid;
    if (!OidIsValid(relid)) return stored;
    Relation rel = table_open(relid, AccessShareLock);
    Snapshot snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
    TupleTableSlot* slot = table_slot_create(rel, nullptr);
    TableScanDesc scan = table_beginscan(rel, snapshot, 0, nullptr);
    auto column = [&](const char* name, bool* null) {
      AttrNumber attnum = get_attnum(relid, name);
      if (attnum <= 0) elog(ERROR, "session_clock: column session_clock.settings.%s is missing", name);
      return slot_getattr(slot, attnum, null);
    };
    if (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
      bool null = true;
      Datum value = column("min_participants", &null);
      if (!null) stored.min_participants = DatumGetInt32(value);
      value = column("grace_ms", &null);
      if (!null) stored.grace_ms = DatumGetInt32(value);
      value = column("server_label", &null);
      if (!null) {
        char* label = TextDatumGetCString(value);
        stored.server_label = std::string(label);
        pfree(label);
      }
    }
    table_endscan(scan);
    ExecDropSingleTupleTableSlot(slot);
    table_close(rel, AccessShareLock);
    return stored;
  });
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

std::string server_label() {
  return read_stored_defaults().server_label.value_or(server_label_setting ? server_label_setting
                                                                          : core::kDefaultServerLabel);
}

core::GraceConfig grace_config(const StoredSession& stored) {
  if (stored.min_participants && stored.grace_ms) return {*stored.min_participants, *stored.grace_ms};
  StoredDefaults defaults = read_stored_defaults();
  return {stored.min_participants.value_or(defaults.min_participants.value_or(default_min_participants)),
          stored.grace_ms.value_or(defaults.grace_ms.value_or(default_grace_ms))};
}

}  // namespace session_clock::pg
