#include <cstring>

#include "guard.hpp"

namespace session_clock::pg {

void detail::copy_message(char* to, std::size_t size, const char* from) {
  std::strncpy(to, from, size - 1);
  to[size - 1] = '\0';
}

// No C++ object is alive in this frame or, by construction, in guard()'s
// frame when it calls here, so the longjmp skips no destructor.
void raise_caught(ErrorData* pg_error, int sqlstate, const char* message, const char* detail) {
  if (pg_error) ReThrowError(pg_error);
  if (detail[0] != '\0')
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message), errdetail("%s", detail)));
  ereport(ERROR, (errcode(sqlstate), errmsg("%s", message)));
  pg_unreachable();
}

}  // namespace session_clock::pg
