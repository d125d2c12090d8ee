#include "jwt_claims.hpp"

#include <nlohmann/json.hpp>

namespace session_clock::core {
namespace {

std::optional<std::string> non_empty_string(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  auto value = it->get<std::string>();
  // PostgreSQL text cannot hold NUL: "alice\u0000mallory" must not become "alice".
  if (value.empty() || value.find('\0') != std::string::npos) return std::nullopt;
  return value;
}

}  // namespace

JwtClaims parse_jwt_claims(std::string_view json_text) {
  if (json_text.empty()) return {};
  auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  return {non_empty_string(doc, "sub"), non_empty_string(doc, "role")};
}

}  // namespace session_clock::core
