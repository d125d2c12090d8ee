// The parts of PostgREST's request.jwt.claims that authorisation needs.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <optional>
#include <string>
#include <string_view>

namespace session_clock::core {

struct JwtClaims {
  std::optional<std::string> sub;
  std::optional<std::string> role;
};

// Parses the claims JSON without throwing on bad input: text that is not a
// JSON object, or a sub/role that is not a non-empty string (or holds a NUL),
// yields nothing for that field. Empty text (the GUC unset) yields no claims.
JwtClaims parse_jwt_claims(std::string_view json_text);

}  // namespace session_clock::core
