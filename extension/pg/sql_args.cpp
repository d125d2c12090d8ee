#include <cstring>

#include "../core/sql_error.hpp"

#include "sql_args.hpp"

namespace session_clock::pg {
namespace {

void require_not_null(FunctionCallInfo fcinfo, int n, const char* name) {
  if (PG_ARGISNULL(n))
    throw core::SqlError(core::sqlstate::kNullValueNotAllowed, std::string(name) + " must not be null");
}

}  // namespace

pg_uuid_t uuid_arg(FunctionCallInfo fcinfo, int n, const char* name) {
  require_not_null(fcinfo, n, name);
  pg_uuid_t id;
  std::memcpy(&id, DatumGetUUIDP(PG_GETARG_DATUM(n)), sizeof id);
  return id;
}

std::string text_arg(FunctionCallInfo fcinfo, int n, const char* name) {
  require_not_null(fcinfo, n, name);
  return *optional_text_arg(fcinfo, n);
}

std::optional<std::string> optional_text_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  text* value = pg_call([&] { return PG_GETARG_TEXT_PP(n); });  // may detoast
  return std::string(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

TimestampTz timestamptz_arg(FunctionCallInfo fcinfo, int n, const char* name) {
  require_not_null(fcinfo, n, name);
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(n);
  if (TIMESTAMP_NOT_FINITE(at))
    throw core::SqlError(core::sqlstate::kInvalidParameterValue, std::string(name) + " must be a finite timestamp");
  return at;
}

}  // namespace session_clock::pg
