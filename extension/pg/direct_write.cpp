#include "direct_write.hpp"

#include <cstring>

#include "pg_compat.hpp"
#include "table_layout.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace session_clock::pg {
namespace {

TableLayout written_session_columns() {
  static CachedLayout layout("sessions", kSessionWriteColumns);
  return layout.get();
}

TableLayout written_event_columns() {
  static CachedLayout layout("session_events", kEventWriteColumns);
  return layout.get();
}

bool knows_every_column(const TableLayout& layout, int count) {
  if (!OidIsValid(layout.relid) || !OidIsValid(layout.primary_key)) return false;
  for (int i = 0; i < count; ++i)
    if (layout.columns[i] <= 0) return false;
  return true;
}

// Triggers other than the foreign keys' own, or row-level security: a user
// attached them to see every write, so they get an ordinary statement.
bool plain(Relation rel) {
  if (rel->rd_rel->relrowsecurity) return false;
  if (TriggerDesc* triggers = rel->trigdesc)
    for (int i = 0; i < triggers->numtriggers; ++i)
      if (!triggers->triggers[i].tgisinternal) return false;
  return true;
}

void set_columns(TupleTableSlot* slot, const TableLayout& layout, int count, const Datum* values, const char* nulls) {
  for (int i = 0; i < count; ++i) {
    int at = layout.columns[i] - 1;
    slot->tts_values[at] = values[i];
    slot->tts_isnull[at] = nulls[i] == 'n';
  }
}

// Index entries for the slot's new heap tuple (its tts_tid).
void index_new_version(Relation rel, TupleTableSlot* slot, EState* estate, bool only_summarizing) {
  ResultRelInfo* info = makeNode(ResultRelInfo);
  InitResultRelInfo(info, rel, /*resultRelationIndex=*/0, nullptr, 0);
  ExecOpenIndices(info, /*speculative=*/false);
  compat::insert_index_entries(info, slot, estate, only_summarizing);
  ExecCloseIndices(info);
}

// The session row: the latest version of `row`, with the given columns.
void update_session(Relation rel, const TableLayout& layout, ItemPointerData row, const Datum* values,
                    const char* nulls, Snapshot snapshot, EState* estate) {
  TableScanDesc chain = table_beginscan_tid(rel, snapshot);
  table_tuple_get_latest_tid(chain, &row);
  table_endscan(chain);
  TupleTableSlot* current = table_slot_create(rel, nullptr);
  if (!table_tuple_fetch_row_version(rel, &row, snapshot, current))
    elog(ERROR, "session_clock: the locked session row is not visible");
  slot_getallattrs(current);
  TupleDesc desc = RelationGetDescr(rel);
  TupleTableSlot* next = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
  ExecClearTuple(next);
  std::memcpy(next->tts_values, current->tts_values, desc->natts * sizeof(Datum));
  std::memcpy(next->tts_isnull, current->tts_isnull, desc->natts * sizeof(bool));
  set_columns(next, layout, kSessionWriteCount, values, nulls);
  ExecStoreVirtualTuple(next);
  bool only_summarizing = false;
  if (compat::update_row(rel, &row, next, snapshot, &only_summarizing))
    index_new_version(rel, next, estate, only_summarizing);
  ExecDropSingleTupleTableSlot(next);
  ExecDropSingleTupleTableSlot(current);
}

void insert_event(Relation rel, const TableLayout& layout, const Datum* values, const char* nulls, EState* estate) {
  TupleDesc desc = RelationGetDescr(rel);
  TupleTableSlot* slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
  ExecClearTuple(slot);
  for (int i = 0; i < desc->natts; ++i) {
    slot->tts_values[i] = Datum(0);
    slot->tts_isnull[i] = true;
  }
  set_columns(slot, layout, kEventWriteCount, values, nulls);
  for (int i = 0; i < desc->natts; ++i) {
    if (!TupleDescAttr(desc, i)->attidentity) continue;
    slot->tts_values[i] = Int64GetDatum(nextval_internal(layout.identity_sequence, /*check_permissions=*/false));
    slot->tts_isnull[i] = false;
  }
  ExecStoreVirtualTuple(slot);
  simple_table_tuple_insert(rel, slot);
  index_new_version(rel, slot, estate, false);
  ExecDropSingleTupleTableSlot(slot);
}

}  // namespace

bool write_directly(ItemPointerData row, const Datum* session_values, const char* session_nulls,
                    const Datum* event_values, const char* event_nulls) {
  return pg_call([&]() -> bool {
    TableLayout sessions = written_session_columns();
    TableLayout events = written_event_columns();
    // Every column of the event is one we give, but its identity.
    if (!knows_every_column(sessions, kSessionWriteCount) || !knows_every_column(events, kEventWriteCount) ||
        !OidIsValid(events.identity_sequence) || events.live_columns != kEventWriteCount + 1 ||
        !ItemPointerIsValid(&row))
      return false;
    Relation session_rel = table_open(sessions.relid, RowExclusiveLock);
    Relation event_rel = table_open(events.relid, RowExclusiveLock);
    bool direct = plain(session_rel) && plain(event_rel);
    if (direct) {
      // As SPI does before each statement: what this call wrote before
      // (a deadline applied first) is the version to update now.
      CommandCounterIncrement();
      Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
      EState* estate = CreateExecutorState();
      update_session(session_rel, sessions, row, session_values, session_nulls, snapshot, estate);
      insert_event(event_rel, events, event_values, event_nulls, estate);
      FreeExecutorState(estate);
      UnregisterSnapshot(snapshot);
    }
    table_close(event_rel, NoLock);
    table_close(session_rel, NoLock);
    return direct;
  });
}

}  // namespace session_clock::pg
