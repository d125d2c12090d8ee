// Where the tables that the C code reads without SQL are: their OIDs,
// primary keys and column numbers, looked up once per backend and forgotten
// whenever PostgreSQL invalidates the table's relcache entry (ALTER TABLE,
// DROP, an extension update, VACUUM's statistics, or a trigger's
// CacheInvalidateRelcache, as session_clock.settings has). The hot read
// path used to look all of it up by name on every call (docs/benchmarks.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "guard.hpp"

namespace session_clock::pg {

constexpr int kMaxLayoutColumns = 12;

struct TableLayout {
  Oid relid = InvalidOid;        // InvalidOid: no such table (yet)
  Oid primary_key = InvalidOid;  // its index
  Oid identity_sequence = InvalidOid;  // its identity column's, if it has one
  int live_columns = 0;                // not dropped
  AttrNumber columns[kMaxLayoutColumns] = {};  // in the order named; 0: missing
  // Changes whenever the layout is looked up again: what a caller derived
  // from the table's contents under one generation is stale under another.
  std::uint64_t generation = 0;
};

// One table of schema session_clock and the columns the caller reads.
// Declare it static: the cache lives as long as the backend.
class CachedLayout {
 public:
  template <std::size_t N>
  CachedLayout(const char* table, const char* const (&columns)[N]) : CachedLayout(table, columns, N) {
    static_assert(N <= kMaxLayoutColumns, "raise kMaxLayoutColumns");
  }
  CachedLayout(const CachedLayout&) = delete;
  CachedLayout& operator=(const CachedLayout&) = delete;

  // Call inside pg_call (a lookup may ereport). A copy: an invalidation
  // processed while the caller opens the table must not change it midway.
  TableLayout get();

 private:
  CachedLayout(const char* table, const char* const* columns, std::size_t count);
  static void forget(Datum, Oid relid);

  const char* table_;
  const char* columns_[kMaxLayoutColumns];
  int count_;
  bool valid_ = false;
  TableLayout layout_;
  CachedLayout* next_;  // every layout of the backend, for forget()
};

}  // namespace session_clock::pg
