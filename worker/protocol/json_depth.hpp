// Nesting depth of JSON text, measured before any parser sees it, so a frame
// of ten thousand '[' costs one linear pass instead of a deep parse.
#pragma once

#include <cstddef>
#include <string_view>

namespace session_clock::worker::protocol {

// True if `text` opens more than `max_depth` arrays/objects at once. Brackets
// inside strings (escapes honoured) do not count. `{}` has depth 1, `[[]]` 2.
// Only meaningful for valid JSON; for anything else the parser decides.
bool nests_deeper_than(std::string_view text, std::size_t max_depth);

}  // namespace session_clock::worker::protocol
