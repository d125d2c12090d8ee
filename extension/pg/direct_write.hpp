// A session change written without SQL: the row's new version, then its
// event, each put in the heap and every index as logical replication's
// apply writes rows, with no parser, planner or executor in between.
//
// Why: perf on a pause (issue 18, docs/benchmarks.md) found the statement
// machinery around the two rows costing more than the rows themselves:
// executor start-up, and above all the CHECK constraints, whose expressions
// PostgreSQL 15 reads back from text for every statement (stringToNode:
// ~19% of the backend). The constraints hold by construction here (the pure
// core only makes valid states and events) and sql/constraints_hold.sql
// re-checks every row the regression suite leaves; NOT NULL columns are
// always given. The foreign key of the event to its session is satisfied
// by the row lock the caller holds.
//
// Not taken (false, and the caller writes with SQL) when either table has
// triggers of its own or row-level security, which must see an ordinary
// UPDATE and INSERT, or when a column this library does not know exists.
#pragma once

#include "guard.hpp"

namespace session_clock::pg {

// In the order of the values given; a value is NULL where nulls says 'n'
// (SPI's convention, as the SQL path takes them).
constexpr const char* kSessionWriteColumns[] = {"is_paused",        "total_paused_ms", "last_state_change_at",
                                                "ended_at",         "version",         "presence_tracked",
                                                "participants",     "grace_deadline_at", "auto_paused"};
constexpr const char* kEventWriteColumns[] = {"session_id", "event",      "reason",     "at",
                                              "actor",      "actor_role", "elapsed_ms", "paused_ms",
                                              "clock_stepped_back", "version", "participant_id", "deadline_at"};
constexpr int kSessionWriteCount = sizeof kSessionWriteColumns / sizeof *kSessionWriteColumns;
constexpr int kEventWriteCount = sizeof kEventWriteColumns / sizeof *kEventWriteColumns;

// `row`: a version of the session row this transaction locked (the latest
// is found from it); the session's other columns are kept.
bool write_directly(ItemPointerData row, const Datum* session_values, const char* session_nulls,
                    const Datum* event_values, const char* event_nulls);

}  // namespace session_clock::pg
