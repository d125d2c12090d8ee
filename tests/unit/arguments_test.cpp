#include "core/arguments.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/sql_error.hpp"

namespace core = session_clock::core;

namespace {

std::string sqlstate_of(void (*validate)(std::string_view), std::string_view value) {
  try {
    validate(value);
  } catch (const core::SqlError& e) {
    return e.sqlstate();
  }
  return "ok";
}

}  // namespace

TEST(Arguments, ReasonAcceptsOrdinaryText) {
  EXPECT_EQ(sqlstate_of(core::validate_reason, "participant_disconnected"), "ok");
  EXPECT_EQ(sqlstate_of(core::validate_reason, "Pause café ☕"), "ok");
}

TEST(Arguments, ReasonRejectsBlankLongAndControlText) {
  EXPECT_EQ(sqlstate_of(core::validate_reason, ""), "22023");
  EXPECT_EQ(sqlstate_of(core::validate_reason, "   "), "22023");
  EXPECT_EQ(sqlstate_of(core::validate_reason, std::string(201, 'x')), "22023");
  EXPECT_EQ(sqlstate_of(core::validate_reason, "line\nbreak"), "22023");
}

TEST(Arguments, LengthCountsCharactersNotBytes) {
  std::string two_hundred_euros;
  for (int i = 0; i < 200; ++i) two_hundred_euros += "€";  // 600 bytes
  EXPECT_EQ(sqlstate_of(core::validate_reason, two_hundred_euros), "ok");
  EXPECT_EQ(sqlstate_of(core::validate_reason, two_hundred_euros + "€"), "22023");
}

TEST(Arguments, MemberRoleIsHostOrParticipant) {
  EXPECT_EQ(sqlstate_of(core::validate_member_role, "host"), "ok");
  EXPECT_EQ(sqlstate_of(core::validate_member_role, "participant"), "ok");
  EXPECT_EQ(sqlstate_of(core::validate_member_role, "admin"), "22023");
  EXPECT_EQ(sqlstate_of(core::validate_participant_id, ""), "22023");
}

TEST(Arguments, ParticipantIdPredicateMatchesTheValidator) {
  for (std::string id : {std::string("alice"), std::string(""), std::string("  "), std::string(201, 'a'),
                         std::string("a\nb"), std::string(200, 'a')}) {
    bool valid = sqlstate_of(core::validate_participant_id, id) == "ok";
    EXPECT_EQ(core::is_valid_participant_id(id), valid) << id;
  }
}

TEST(Arguments, UnicodeControlsAndBlanksAreRefused) {
  EXPECT_EQ(sqlstate_of(core::validate_reason, "a\u0085b"), "22023");       // C1 next line
  EXPECT_EQ(sqlstate_of(core::validate_reason, "\u009b31m red"), "22023");  // C1 CSI escape
  EXPECT_EQ(sqlstate_of(core::validate_reason, "abc\u202Egnp.exe"), "22023");  // bidi override
  EXPECT_EQ(sqlstate_of(core::validate_reason, "a\u2028b"), "22023");       // line separator
  EXPECT_EQ(sqlstate_of(core::validate_reason, "\u00a0\u3000"), "22023");   // only wide spaces
  EXPECT_EQ(sqlstate_of(core::validate_reason, "\u00e9t\u00e9 \u2014 ok"), "ok");
  EXPECT_EQ(sqlstate_of(core::validate_reason, std::string(1 << 20, 'x')), "22023");
}
