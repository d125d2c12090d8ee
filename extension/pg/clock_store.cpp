#include "../core/notification.hpp"

#include <algorithm>

#include "clock_store.hpp"
#include "direct_write.hpp"
#include "pg_compat.hpp"
#include "spi.hpp"
#include "table_layout.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace session_clock::pg {
namespace {

Datum uuid_datum(const pg_uuid_t& id) { return UUIDPGetDatum(const_cast<pg_uuid_t*>(&id)); }

Datum text_datum(const char* text) {
  return pg_call([&] { return CStringGetTextDatum(text); });
}

// The columns of a session row that the clock and the grace rule use, as
// Datums (all passed by value). The grace columns exist from schema 1.1 on;
// a 1.1 library on a not yet updated 1.0 schema reads them as absent.
constexpr int kColumns = 12;
constexpr int kFirstGraceColumn = 6;
constexpr const char* kColumnNames[kColumns] = {
    "started_at",       "is_paused",    "total_paused_ms",   "last_state_change_at",
    "ended_at",         "version",      "presence_tracked",  "participants",
    "grace_deadline_at", "auto_paused", "min_participants",  "grace_ms"};
TableLayout sessions_layout() {
  static CachedLayout layout("sessions", kColumnNames);
  return layout.get();
}
struct SessionColumns {
  Datum values[kColumns];
  bool nulls[kColumns];
  bool has_grace_columns;
  ItemPointerData row;
};

std::optional<std::int32_t> optional_int(const SessionColumns& c, int i) {
  if (c.nulls[i]) return std::nullopt;
  return DatumGetInt32(c.values[i]);
}

StoredSession to_session(const SessionColumns& c) {
  if (c.nulls[0] || c.nulls[1] || c.nulls[2] || c.nulls[3] || c.nulls[5])
    throw core::SqlError(core::sqlstate::kInternalError, "session_clock: session row has NULL clock columns");
  StoredSession stored;
  core::ClockState& s = stored.session.clock;
  s.started_at_us = DatumGetTimestampTz(c.values[0]);
  s.is_paused = DatumGetBool(c.values[1]);
  s.total_paused_ms = DatumGetInt64(c.values[2]);
  s.last_change_us = DatumGetTimestampTz(c.values[3]);
  if (!c.nulls[4]) s.ended_at_us = DatumGetTimestampTz(c.values[4]);
  s.version = DatumGetInt64(c.values[5]);
  stored.has_grace_columns = c.has_grace_columns;
  stored.row = c.row;
  if (!c.has_grace_columns) return stored;
  core::GraceState& g = stored.session.grace;
  g.tracked = !c.nulls[6] && DatumGetBool(c.values[6]);
  g.participants = optional_int(c, 7).value_or(0);
  if (!c.nulls[8]) g.deadline_us = DatumGetTimestampTz(c.values[8]);
  g.auto_paused = !c.nulls[9] && DatumGetBool(c.values[9]);
  stored.min_participants = optional_int(c, 10);
  stored.grace_ms = optional_int(c, 11);
  return stored;
}

// One primary-key probe without SPI or an executor: the hot path of every
// clock RPC, where an executor start-up per call would cost more than the
// lookup. Unlocked, it sees what the calling statement's snapshot sees (as
// SPI's read-only mode would). Locked, it does what SELECT ... FOR UPDATE does
// in the executor (nodeLockRows.c): a fresh snapshot, then the row lock on the
// latest version, following the update chain under READ COMMITTED and failing
// with a serialization error under REPEATABLE READ / SERIALIZABLE.
std::optional<SessionColumns> probe(const pg_uuid_t& id, Lock lock) {
  return pg_call([&]() -> std::optional<SessionColumns> {
    TableLayout layout = sessions_layout();
    if (!OidIsValid(layout.relid)) elog(ERROR, "session_clock: table session_clock.sessions is missing");
    bool locking = lock == Lock::for_update;
    Relation rel = table_open(layout.relid, locking ? RowShareLock : AccessShareLock);
    Relation index = index_open(layout.primary_key, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, uuid_datum(id));
    Snapshot snapshot = locking || !ActiveSnapshotSet() ? GetTransactionSnapshot() : GetActiveSnapshot();
    TupleTableSlot* slot = table_slot_create(rel, nullptr);
    IndexScanDesc scan = compat::index_beginscan(rel, index, snapshot, 1, 0);
    index_rescan(scan, &key, 1, nullptr, 0);
    bool found = index_getnext_slot(scan, ForwardScanDirection, slot);
    index_endscan(scan);
    if (found && locking) {
      int flags = IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION;
      TM_FailureData failure;
      ItemPointerData tid = slot->tts_tid;
      TM_Result result = table_tuple_lock(rel, &tid, snapshot, slot, GetCurrentCommandId(true), LockTupleExclusive,
                                          LockWaitBlock, flags, &failure);
      switch (result) {
        case TM_Ok:
          break;  // slot holds the locked, latest version; id never changes, so no recheck
        case TM_Deleted:
          if (IsolationUsesXactSnapshot())
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("could not serialize access due to concurrent delete")));
          found = false;
          break;
        case TM_Updated:
          ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                          errmsg("could not serialize access due to concurrent update")));
          break;
        default:
          elog(ERROR, "session_clock: unexpected tuple lock result %d", static_cast<int>(result));
      }
    }
    std::optional<SessionColumns> columns;
    if (found) {
      SessionColumns c;
      c.has_grace_columns = true;
      c.row = slot->tts_tid;
      for (int i = 0; i < kColumns; ++i) {
        AttrNumber attno = layout.columns[i];
        if (attno <= 0) {
          if (i < kFirstGraceColumn) elog(ERROR, "session_clock: column %s is missing", kColumnNames[i]);
          c.has_grace_columns = false;
          c.values[i] = Datum(0);
          c.nulls[i] = true;
          continue;
        }
        c.values[i] = slot_getattr(slot, attno, &c.nulls[i]);
      }
      columns = c;
    }
    ExecDropSingleTupleTableSlot(slot);
    index_close(index, NoLock);
    table_close(rel, NoLock);  // locks are kept to the end of the transaction
    return columns;
  });
}

// The event row's arguments, shared by the statements that write one.
constexpr int kEventArgs = 9;
void event_args(const core::Event& e, std::int64_t version, const char* reason, const Caller& caller, Datum* args,
                char* nulls) {
  Datum values[kEventArgs] = {text_datum(core::event_name(e.kind)),
                              reason ? text_datum(reason) : Datum(0),
                              TimestampTzGetDatum(e.at_us),
                              text_datum(caller.actor().c_str()),
                              text_datum(caller.role_name().c_str()),
                              Float8GetDatum(e.elapsed_ms),
                              Int64GetDatum(e.paused_ms),
                              BoolGetDatum(e.clock_stepped_back),
                              Int64GetDatum(version)};
  for (int i = 0; i < kEventArgs; ++i) {
    args[i] = values[i];
    nulls[i] = ' ';
  }
  if (!reason) nulls[1] = 'n';
}

#define SESSION_CLOCK_EVENT_COLUMNS \
  "(session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)"
#define SESSION_CLOCK_EVENT_TYPES TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, FLOAT8OID, INT8OID, BOOLOID, INT8OID

void notify(const pg_uuid_t& id, core::EventKind kind, std::int64_t version) {
  send_notification(core::change_payload(uuid_text(id), kind, version));
}

// Schema 1.0: the clock columns and the 1.0 event columns only.
void save_clock_only(const pg_uuid_t& id, const core::SessionChange& change, const Caller& caller) {
  static Statement update_and_log(
      "WITH changed AS (UPDATE session_clock.sessions SET is_paused = $2, total_paused_ms = $3, "
      "last_state_change_at = $4, ended_at = $5, version = $6 WHERE id = $1 RETURNING id) "
      "INSERT INTO session_clock.session_events " SESSION_CLOCK_EVENT_COLUMNS
      " SELECT id, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM changed",
      {UUIDOID, BOOLOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, SESSION_CLOCK_EVENT_TYPES});
  const core::ClockState& s = change.next.clock;
  Datum args[6 + kEventArgs] = {uuid_datum(id),
                                BoolGetDatum(s.is_paused),
                                Int64GetDatum(s.total_paused_ms),
                                TimestampTzGetDatum(s.last_change_us),
                                TimestampTzGetDatum(s.ended_at_us.value_or(0)),
                                Int64GetDatum(s.version)};
  char nulls[6 + kEventArgs + 1] = {' ', ' ', ' ', ' ', s.ended_at_us ? ' ' : 'n', ' '};
  event_args(change.event, s.version, change.reason, caller, args + 6, nulls + 6);
  nulls[6 + kEventArgs] = '\0';
  if (update_and_log.run(args, nulls, false) != 1)
    throw core::SqlError(core::sqlstate::kInternalError, "session_clock: the locked session row was not updated");
}

// Schema 1.1: clock and grace columns, and the event's participant/deadline.
void save_session(const pg_uuid_t& id, ItemPointerData row, const core::SessionChange& change, const Caller& caller,
                  const std::string* participant_id) {
  static Statement update_and_log(
      "WITH changed AS (UPDATE session_clock.sessions SET is_paused = $2, total_paused_ms = $3, "
      "last_state_change_at = $4, ended_at = $5, version = $6, presence_tracked = $7, participants = $8, "
      "grace_deadline_at = $9, auto_paused = $10 WHERE id = $1 RETURNING id) "
      "INSERT INTO session_clock.session_events "
      "(session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version, "
      "participant_id, deadline_at) SELECT id, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21 FROM changed",
      {UUIDOID, BOOLOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, BOOLOID, INT4OID, TIMESTAMPTZOID,
       BOOLOID, SESSION_CLOCK_EVENT_TYPES, TEXTOID, TIMESTAMPTZOID});
  constexpr int kRow = 10;
  const core::ClockState& s = change.next.clock;
  const core::GraceState& g = change.next.grace;
  bool logs_deadline = change.event.kind == core::EventKind::grace_start;
  Datum args[kRow + kEventArgs + 2] = {uuid_datum(id),
                                       BoolGetDatum(s.is_paused),
                                       Int64GetDatum(s.total_paused_ms),
                                       TimestampTzGetDatum(s.last_change_us),
                                       TimestampTzGetDatum(s.ended_at_us.value_or(0)),
                                       Int64GetDatum(s.version),
                                       BoolGetDatum(g.tracked),
                                       Int32GetDatum(g.participants),
                                       TimestampTzGetDatum(g.deadline_us.value_or(0)),
                                       BoolGetDatum(g.auto_paused)};
  char nulls[kRow + kEventArgs + 2 + 1] = {' ', ' ', ' ', ' ', s.ended_at_us ? ' ' : 'n', ' ', ' ', ' ',
                                           g.deadline_us ? ' ' : 'n', ' '};
  event_args(change.event, s.version, change.reason, caller, args + kRow, nulls + kRow);
  args[kRow + kEventArgs] = participant_id ? text_datum(participant_id->c_str()) : Datum(0);
  nulls[kRow + kEventArgs] = participant_id ? ' ' : 'n';
  args[kRow + kEventArgs + 1] = TimestampTzGetDatum(g.deadline_us.value_or(0));
  nulls[kRow + kEventArgs + 1] = logs_deadline && g.deadline_us ? ' ' : 'n';
  nulls[kRow + kEventArgs + 2] = '\0';
  // The same values without SQL (direct_write.hpp): the row's columns after
  // the id, and the event's with the id first.
  static_assert(kSessionWriteCount == kRow - 1 && kEventWriteCount == kEventArgs + 3);
  Datum event_values[kEventWriteCount];
  char event_nulls[kEventWriteCount];
  event_values[0] = args[0];
  event_nulls[0] = ' ';
  std::copy(args + kRow, args + kRow + kEventArgs + 2, event_values + 1);
  std::copy(nulls + kRow, nulls + kRow + kEventArgs + 2, event_nulls + 1);
  if (write_directly(row, args + 1, nulls + 1, event_values, event_nulls)) return;
  if (update_and_log.run(args, nulls, false) != 1)
    throw core::SqlError(core::sqlstate::kInternalError, "session_clock: the locked session row was not updated");
}

}  // namespace

std::string uuid_text(const pg_uuid_t& id) { return core::uuid_text(id.data); }

std::optional<StoredSession> load_session(const pg_uuid_t& id, Lock lock) {
  auto columns = probe(id, lock);
  if (!columns) return std::nullopt;
  return to_session(*columns);
}

std::optional<core::ClockState> load_clock(const pg_uuid_t& id, Lock lock) {
  auto stored = load_session(id, lock);
  if (!stored) return std::nullopt;
  return stored->session.clock;
}

bool insert_clock(const pg_uuid_t& id, const core::ClockState& s) {
  static Statement insert(
      "INSERT INTO session_clock.sessions (id, started_at, is_paused, total_paused_ms, "
      "last_state_change_at, version) VALUES ($1, $2, false, 0, $2, $3) ON CONFLICT (id) DO NOTHING",
      {UUIDOID, TIMESTAMPTZOID, INT8OID});
  Datum args[3] = {uuid_datum(id), TimestampTzGetDatum(s.started_at_us), Int64GetDatum(s.version)};
  return insert.run(args, nullptr, false) == 1;
}

void add_member(const pg_uuid_t& id, const std::string& participant_id, const char* role) {
  static Statement insert(
      "INSERT INTO session_clock.session_members (session_id, participant_id, role) VALUES ($1, $2, $3) "
      "ON CONFLICT (session_id, participant_id) DO UPDATE SET role = EXCLUDED.role "
      "RETURNING session_id, participant_id, role, added_at",
      {UUIDOID, TEXTOID, TEXTOID});
  Datum args[3] = {uuid_datum(id), text_datum(participant_id.c_str()), text_datum(role)};
  insert.run(args, nullptr, false);
}

void log_start(const pg_uuid_t& id, const core::Transition& change, const Caller& caller) {
  static Statement insert("INSERT INTO session_clock.session_events " SESSION_CLOCK_EVENT_COLUMNS
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                          {UUIDOID, SESSION_CLOCK_EVENT_TYPES});
  Datum args[1 + kEventArgs];
  char nulls[1 + kEventArgs + 1] = {' '};
  args[0] = uuid_datum(id);
  event_args(change.event, change.state.version, nullptr, caller, args + 1, nulls + 1);
  nulls[1 + kEventArgs] = '\0';
  insert.run(args, nulls, false);
  notify(id, change.event.kind, change.state.version);
}

// The new state and its event in one statement: one executor run, not two.
void save_change(const pg_uuid_t& id, const StoredSession& stored, const core::SessionChange& change,
                 const Caller& caller, const std::string* participant_id) {
  if (stored.has_grace_columns)
    save_session(id, stored.row, change, caller, participant_id);
  else if (core::moves_clock(change.event.kind))
    save_clock_only(id, change, caller);
  else
    throw core::SqlError(core::sqlstate::kObjectNotInPrerequisiteState,
                         "presence and grace need session_clock 1.1",
                         "run ALTER EXTENSION session_clock UPDATE to install the 1.1 schema");
  notify(id, change.event.kind, change.next.clock.version);
}

void save_tracked(const pg_uuid_t& id) {
  static Statement update("UPDATE session_clock.sessions SET presence_tracked = true WHERE id = $1", {UUIDOID});
  Datum args[1] = {uuid_datum(id)};
  update.run(args, nullptr, false);
}

void notify_member_removed(const pg_uuid_t& id, const std::string& participant_id) {
  send_notification(core::member_removed_payload(uuid_text(id), participant_id));
}

void send_notification(const std::string& payload) {
  pg_call([&] { Async_Notify(core::kNotifyChannel, payload.c_str()); });
}

void save_settings(const pg_uuid_t& id, const SessionSettings& settings) {
  static Statement update(
      "UPDATE session_clock.sessions SET min_participants = coalesce($2, min_participants), "
      "grace_ms = coalesce($3, grace_ms) WHERE id = $1",
      {UUIDOID, INT4OID, INT4OID});
  Datum args[3] = {uuid_datum(id), Int32GetDatum(settings.min_participants.value_or(0)),
                   Int32GetDatum(settings.grace_ms.value_or(0))};
  char nulls[4] = {' ', settings.min_participants ? ' ' : 'n', settings.grace_ms ? ' ' : 'n', '\0'};
  update.run(args, nulls, false);
  if (!settings.single_device) return;  // a 1.2 schema has no column to set (and no argument to set it)
  static Statement set_single_device("UPDATE session_clock.sessions SET single_device = $2 WHERE id = $1",
                                     {UUIDOID, BOOLOID});
  Datum single[2] = {uuid_datum(id), BoolGetDatum(*settings.single_device)};
  set_single_device.run(single, nullptr, false);
}

}  // namespace session_clock::pg
