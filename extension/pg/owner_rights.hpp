// The rights of a C function's owner, taken without SECURITY DEFINER.
//
// fmgr runs a SECURITY DEFINER function with a pinned search_path by opening
// a configuration nest level on every call and closing it afterwards, which
// also makes the next name lookup recompute the search path: on the hot read
// path (session_clock_get) that was the largest fixed cost we could remove
// (docs/benchmarks.md). A C function that reads its row without SQL text
// cannot be hijacked through search_path, and the SQL it may run is schema-
// and operator-qualified (spi.hpp), so such a function is SECURITY INVOKER
// and takes its owner's rights here, as fmgr would: same user switch, same
// SECURITY_LOCAL_USERID_CHANGE, undone when the scope ends, error or not.
#pragma once

#include "guard.hpp"

namespace session_clock::pg {

class OwnerRights {
 public:
  explicit OwnerRights(FunctionCallInfo fcinfo);
  // Only assigns the two globals it saved: safe while an exception unwinds.
  ~OwnerRights();
  OwnerRights(const OwnerRights&) = delete;
  OwnerRights& operator=(const OwnerRights&) = delete;

 private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
};

}  // namespace session_clock::pg
