#include "jwt_claims.hpp"

#include "json_text.hpp"

namespace session_clock::core {
namespace {

using Members = std::map<std::string, json_text::Value>;

std::optional<std::string> non_empty_string(const Members& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->second.type != json_text::Value::Type::string) return std::nullopt;
  const auto& value = it->second.text;
  // PostgreSQL text cannot hold NUL: "alice\u0000mallory" must not become "alice".
  if (value.empty() || value.find('\0') != std::string::npos) return std::nullopt;
  return value;
}

}  // namespace

JwtClaims parse_jwt_claims(std::string_view json_text) {
  if (json_text.empty()) return {};
  auto doc = json_text::read_object(json_text);
  if (!doc) return {};
  return {non_empty_string(*doc, "sub"), non_empty_string(*doc, "role")};
}

}  // namespace session_clock::core
