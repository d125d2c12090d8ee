#include "table_layout.hpp"

#include "pg_compat.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace session_clock::pg {
namespace {

CachedLayout* all_layouts = nullptr;
bool watching = false;
std::uint64_t lookups = 0;

}  // namespace

CachedLayout::CachedLayout(const char* table, const char* const* columns, std::size_t count)
    : table_(table), count_(static_cast<int>(count)), next_(all_layouts) {
  for (int i = 0; i < count_; ++i) columns_[i] = columns[i];
  all_layouts = this;
}

// Any relcache invalidation of the table (or of everything: InvalidOid)
// drops the layout; the next get() looks it up again.
void CachedLayout::forget(Datum, Oid relid) {
  for (CachedLayout* l = all_layouts; l; l = l->next_)
    if (!OidIsValid(relid) || relid == l->layout_.relid) l->valid_ = false;
}

TableLayout CachedLayout::get() {
  if (!watching) {
    CacheRegisterRelcacheCallback(&CachedLayout::forget, Datum(0));
    watching = true;
  }
  if (valid_) return layout_;
  TableLayout fresh;
  fresh.generation = ++lookups;
  Oid schema = get_namespace_oid("session_clock", /*missing_ok=*/true);
  fresh.relid = OidIsValid(schema) ? get_relname_relid(table_, schema) : InvalidOid;
  if (OidIsValid(fresh.relid)) {
    Relation rel = table_open(fresh.relid, AccessShareLock);  // kept to the end of the transaction
    fresh.primary_key = compat::primary_key_index(rel);
    TupleDesc desc = RelationGetDescr(rel);
    for (int i = 0; i < desc->natts; ++i) {
      Form_pg_attribute a = TupleDescAttr(desc, i);
      if (a->attisdropped) continue;
      ++fresh.live_columns;
      if (a->attidentity) fresh.identity_sequence = compat::identity_sequence(rel, a->attnum);
    }
    table_close(rel, NoLock);
    for (int i = 0; i < count_; ++i) {
      AttrNumber attno = get_attnum(fresh.relid, columns_[i]);
      fresh.columns[i] = attno == InvalidAttrNumber ? 0 : attno;
    }
  }
  // Opening the table may have processed an invalidation of the old layout:
  // what was read after the lock is current. A missing table is not kept:
  // creating it (an update to 1.3 makes settings) invalidates no OID we know.
  layout_ = fresh;
  valid_ = OidIsValid(fresh.relid);
  return layout_;
}

}  // namespace session_clock::pg
