#include "core/jwt_claims.hpp"

#include <gtest/gtest.h>

namespace core = session_clock::core;

TEST(JwtClaims, ReadsSubAndRole) {
  auto c = core::parse_jwt_claims(R"({"sub":"user-1","role":"authenticated","exp":1})");
  EXPECT_EQ(c.sub, "user-1");
  EXPECT_EQ(c.role, "authenticated");
}

TEST(JwtClaims, UnsetOrMalformedYieldsNothing) {
  for (const char* text : {"", "null", "[]", "\"sub\"", "{not json", R"({"sub":""})", R"({"sub":42})",
                           R"({"sub":{"id":1}})"}) {
    auto c = core::parse_jwt_claims(text);
    EXPECT_FALSE(c.sub.has_value()) << text;
  }
}

TEST(JwtClaims, SubWithNulIsNoSub) {
  // "alice\u0000mallory" must not be cut to "alice" on its way into text.
  EXPECT_FALSE(core::parse_jwt_claims(R"({"sub":"alice\u0000mallory"})").sub.has_value());
  EXPECT_FALSE(core::parse_jwt_claims(R"({"sub":"\u0000"})").sub.has_value());
}
