#include "owner_rights.hpp"

extern "C" {
#include "catalog/pg_proc.h"
#include "utils/syscache.h"
}

namespace session_clock::pg {
namespace {

// Looked up on every call, never cached: ALTER FUNCTION ... OWNER TO must
// take effect at once.
Oid function_owner(Oid function) {
  return pg_call([&] {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "session_clock: cache lookup failed for function %u", function);
    Oid owner = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->proowner;
    ReleaseSysCache(tuple);
    return owner;
  });
}

}  // namespace

OwnerRights::OwnerRights(FunctionCallInfo fcinfo) {
  Oid owner = function_owner(fcinfo->flinfo->fn_oid);
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
}

OwnerRights::~OwnerRights() { SetUserIdAndSecContext(saved_user_, saved_context_); }

}  // namespace session_clock::pg
