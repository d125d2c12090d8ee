// A client frame read as one flat JSON object: each member's value when it
// is a scalar (null, boolean, number, string), a nested object or array
// only by its kind. No inbound message reads inside a nested value (a
// `trace` is read from the text: trace.hpp), so nothing nested is kept.
// Read with nlohmann's SAX parser instead of built as its DOM: the members
// in one vector (a std::map node each in the DOM), nested bulk never
// stored, and the nesting limit applied while parsing, at the first
// container past it. Pure; never throws but std::bad_alloc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

class FlatObject {
 public:
  // The member's value (an empty object or array for a nested one), or
  // nullptr when absent. A key given twice has its last value, as in
  // nlohmann's DOM.
  const nlohmann::json* find(std::string_view key) const;

 private:
  friend class FlatObjectReader;
  std::vector<std::pair<std::string, nlohmann::json>> members_;
};

enum class FlatObjectError {
  not_json,    // not one valid JSON text
  too_deep,    // nested deeper than the limit (found before any later syntax error)
  not_object,  // valid JSON, but not an object
};

// `max_depth` counts containers: 1 admits an object of scalars.
std::variant<FlatObject, FlatObjectError> read_flat_object(std::string_view text, std::size_t max_depth);

}  // namespace session_clock::worker::protocol
