// The server APIs the glue uses that changed after PostgreSQL 15, each
// behind PG_VERSION_NUM, in one place. 15 is what Debian 12 ships and what the
// tests run; 16 to 18 compile against these guards; 13 and 14 are end-of-life
// and refused. Checked against each major version's headers and release notes
// for every call in extension/pg/ (SPI, fmgr, GUCs, Async_Notify, table and
// index access, tuple locking, ACL lookups, and the direct writes of
// direct_write.cpp: heap update and insert, index entries, identity
// sequences): only those below changed.
#pragma once

#include "postgres_headers.hpp"

extern "C" {
#include "access/genam.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "executor/executor.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"
}

#if PG_VERSION_NUM < 150000
#error "session_clock needs PostgreSQL 15 or later (13 and 14 are end-of-life)"
#endif

namespace session_clock::pg::compat {

// 18 added the instrumentation argument (EXPLAIN's index search counts).
inline IndexScanDesc index_beginscan(Relation heap, Relation index, Snapshot snapshot, int nkeys, int norderbys) {
#if PG_VERSION_NUM >= 180000
  return ::index_beginscan(heap, index, snapshot, /*instrument=*/nullptr, nkeys, norderbys);
#else
  return ::index_beginscan(heap, index, snapshot, nkeys, norderbys);
#endif
}

// 18 added deferrable_ok; ours is not deferrable, so false finds it.
inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
  return RelationGetPrimaryKeyIndex(rel, /*deferrable_ok=*/false);
#else
  return RelationGetPrimaryKeyIndex(rel);
#endif
}

// 16 tells which indexes an update needs entries in (a HOT update: none;
// only summarizing ones, BRIN); 15 says all or none.
inline bool update_row(Relation rel, ItemPointer tid, TupleTableSlot* slot, Snapshot snapshot,
                       bool* only_summarizing) {
#if PG_VERSION_NUM >= 160000
  TU_UpdateIndexes update_indexes = TU_None;
  simple_table_tuple_update(rel, tid, slot, snapshot, &update_indexes);
  *only_summarizing = update_indexes == TU_Summarizing;
  return update_indexes != TU_None;
#else
  bool update_indexes = false;
  simple_table_tuple_update(rel, tid, slot, snapshot, &update_indexes);
  *only_summarizing = false;
  return update_indexes;
#endif
}

// 16 added onlySummarizing. Not an UPDATE's "unchanged" hint (that reads the
// range table, which a direct write has none of), no ON CONFLICT.
inline void insert_index_entries(ResultRelInfo* rri, TupleTableSlot* slot, EState* estate, bool only_summarizing) {
#if PG_VERSION_NUM >= 160000
  ExecInsertIndexTuples(rri, slot, estate, /*update=*/false, /*noDupErr=*/false, nullptr, NIL, only_summarizing);
#else
  (void)only_summarizing;
  ExecInsertIndexTuples(rri, slot, estate, /*update=*/false, /*noDupErr=*/false, nullptr, NIL);
#endif
}

// 17 takes the Relation (for partitions) instead of its OID.
inline Oid identity_sequence(Relation rel, AttrNumber attnum) {
#if PG_VERSION_NUM >= 170000
  return getIdentitySequence(rel, attnum, /*missing_ok=*/true);
#else
  return getIdentitySequence(RelationGetRelid(rel), attnum, /*missing_ok=*/true);
#endif
}

}  // namespace session_clock::pg::compat

// 18 lets a library name itself and its version (pg_get_loaded_modules()).
#if PG_VERSION_NUM >= 180000
#define SESSION_CLOCK_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "session_clock", .version = SESSION_CLOCK_VERSION)
#else
#define SESSION_CLOCK_MODULE_MAGIC PG_MODULE_MAGIC
#endif
