// The little JSON the extension itself reads and writes: NOTIFY payloads,
// PostgREST's request.jwt.claims, the kernel clock's status. Written here
// rather than taken from a JSON library so that building the extension needs
// nothing but PostgreSQL's server headers and a C++17 compiler (the worker,
// which speaks JSON everywhere, uses nlohmann/json).
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace session_clock::core::json_text {

// One flat JSON object, members in the order added. Strings are escaped;
// invalid UTF-8 becomes U+FFFD (PostgreSQL's json input would refuse it).
class ObjectWriter {
 public:
  ObjectWriter& add(const char* key, std::string_view value);
  ObjectWriter& add(const char* key, const char* value) { return add(key, std::string_view(value)); }
  template <typename Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  ObjectWriter& add(const char* key, Int value) {
    return add_integer(key, static_cast<std::int64_t>(value));
  }
  ObjectWriter& add(const char* key, bool value);
  ObjectWriter& add(const char* key, double value);  // shortest text that reads back the same; NaN/inf: null
  ObjectWriter& add(const char* key, const std::vector<std::string>& values);
  std::string str() const { return text_ + '}'; }

 private:
  ObjectWriter& add_integer(const char* key, std::int64_t value);
  void key(const char* name);
  std::string text_ = "{";
};

// A JSON string literal (with its quotes) for `value`.
std::string quote(std::string_view value);

// A top-level member's value, as far as our readers care.
struct Value {
  enum class Type { string, integer, other };  // other: a number with a fraction, bool, null, array, object
  Type type = Type::other;
  std::string text;          // string
  std::int64_t integer = 0;  // integer (fits in 64 bits, no fraction or exponent)
};

// The members of a JSON object, strictly checked (RFC 8259, UTF-8, nesting
// at most max_depth, by default any: nested values are skipped without
// recursion); nullopt for anything else. A repeated key keeps its last value.
// Never throws.
std::optional<std::map<std::string, Value>> read_object(std::string_view text,
                                                       int max_depth = std::numeric_limits<int>::max()) noexcept;

}  // namespace session_clock::core::json_text
