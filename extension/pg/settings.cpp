// Pure core headers before postgres.h (which settings.hpp brings).
#include "../core/kernel_clock.hpp"
#include "settings.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>

#include "pg_compat.hpp"
#include "table_layout.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
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

// The row as last read, and the layout generation it was read under: the
// trigger session_clock.settings_changed() invalidates the table's relcache
// entry on every change, which starts a new generation in every backend
// (at its next transaction, or at once in the changing one). So a clock
// read touches the table only after a change: it runs on every read.
struct CachedDefaults {
  StoredDefaults values;
  std::uint64_t generation = 0;
};

// One primary-key probe of the one-row table, without SPI or an executor,
// as the session probe does (clock_store.cpp), with the latest snapshot:
// what is kept must be what was last committed (or changed by this
// transaction), never what an older snapshot of a REPEATABLE READ
// transaction saw. No privilege check: anyone may read the defaults, as
// anyone may SHOW the settings (server_time_status() is anon's).
StoredDefaults read_stored_defaults() {
  static constexpr const char* kNames[] = {"min_participants", "grace_ms", "server_label"};
  static CachedLayout settings("settings", kNames);
  static CachedDefaults cached;
  return pg_call([]() -> StoredDefaults {
    TableLayout layout = settings.get();
    if (!OidIsValid(layout.relid)) return StoredDefaults{};
    if (layout.generation == cached.generation) return cached.values;
    for (std::size_t i = 0; i < std::size(kNames); ++i)
      if (layout.columns[i] <= 0) elog(ERROR, "session_clock: column settings.%s is missing", kNames[i]);
    StoredDefaults stored;
    Relation rel = table_open(layout.relid, AccessShareLock);
    Relation index = index_open(layout.primary_key, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_BOOLEQ, BoolGetDatum(true));
    TupleTableSlot* slot = table_slot_create(rel, nullptr);
    IndexScanDesc scan = compat::index_beginscan(rel, index, GetLatestSnapshot(), 1, 0);
    index_rescan(scan, &key, 1, nullptr, 0);
    if (index_getnext_slot(scan, ForwardScanDirection, slot)) {
      bool null = true;
      Datum value = slot_getattr(slot, layout.columns[0], &null);
      if (!null) stored.min_participants = DatumGetInt32(value);
      value = slot_getattr(slot, layout.columns[1], &null);
      if (!null) stored.grace_ms = DatumGetInt32(value);
      value = slot_getattr(slot, layout.columns[2], &null);
      if (!null) {
        char* label = TextDatumGetCString(value);
        stored.server_label = std::string(label);
        pfree(label);
      }
    }
    index_endscan(scan);
    ExecDropSingleTupleTableSlot(slot);
    index_close(index, NoLock);
    table_close(rel, NoLock);
    cached.values = stored;
    cached.generation = layout.generation;
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

// AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ... FOR EACH STATEMENT on
// session_clock.settings: every backend forgets its copy of the row (the
// portable edition's function of the same name has nothing to forget).
SESSION_CLOCK_FUNCTION(session_clock_settings_changed) {
  return session_clock::pg::guard([&] {
    if (!CALLED_AS_TRIGGER(fcinfo))
      throw session_clock::core::SqlError(session_clock::core::sqlstate::kObjectNotInPrerequisiteState,
                                          "session_clock.settings_changed() is a trigger function");
    Relation changed = reinterpret_cast<TriggerData*>(fcinfo->context)->tg_relation;
    session_clock::pg::pg_call([&] { CacheInvalidateRelcache(changed); });
    return PointerGetDatum(nullptr);
  });
}
