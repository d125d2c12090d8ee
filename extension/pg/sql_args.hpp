// Reading SQL arguments into C++ values, with the errors callers see for
// NULL (22004) and invalid (22023) input.
#pragma once

#include <optional>
#include <string>

#include "guard.hpp"

namespace session_clock::pg {

pg_uuid_t uuid_arg(FunctionCallInfo fcinfo, int n, const char* name);
std::string text_arg(FunctionCallInfo fcinfo, int n, const char* name);
std::optional<std::string> optional_text_arg(FunctionCallInfo fcinfo, int n);
TimestampTz timestamptz_arg(FunctionCallInfo fcinfo, int n, const char* name);


}  // namespace session_clock::pg
