// A strict logfmt reader for the tests: key=value pairs separated by
// spaces; keys [A-Za-z_][A-Za-z0-9_.-]*, each once; a value bare (printable
// ASCII without space, '=', '"' or '\') or a double-quoted string with JSON's
// escapes. Anything else (a bare word, an unescaped quote, a raw control
// character) is not logfmt.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace session_clock::testing {

std::optional<std::map<std::string, std::string>> parse_logfmt(std::string_view line);

// Why `line` is not one of the worker's log lines in `format` ("logfmt" or
// "json": ts, level and msg present), or "" if it is.
std::string log_line_problem(std::string_view line, std::string_view format);

}  // namespace session_clock::testing
