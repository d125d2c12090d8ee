#include "http/query.hpp"

#include <gtest/gtest.h>

namespace q = session_clock::worker::http_target;

TEST(Query, PathEndsAtTheQuestionMark) {
  EXPECT_EQ(q::path_of("/ws/time/?tz=UTC"), "/ws/time/");
  EXPECT_EQ(q::path_of("/ws"), "/ws");
}

TEST(Query, ParametersArePercentDecoded) {
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=America%2FSt_Johns", "tz"), "America/St_Johns");
  EXPECT_EQ(q::query_parameter("/ws/time/?x=1&tz=Europe/Berlin&tz=UTC", "tz"), "Europe/Berlin");
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=Etc/GMT+5", "tz"), "Etc/GMT+5");  // '+' is not a space here
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=Etc%2fGMT%2B5", "tz"), "Etc/GMT+5");
}

TEST(Query, AbsentIsNulloptAndMalformedStaysAsSent) {
  EXPECT_EQ(q::query_parameter("/ws/time/", "tz"), std::nullopt);
  EXPECT_EQ(q::query_parameter("/ws/time/?tzx=UTC&tz", "tz"), std::nullopt);
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=", "tz"), "");
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=Europe%2", "tz"), "Europe%2");
  EXPECT_EQ(q::query_parameter("/ws/time/?tz=%G1", "tz"), "%G1");
  EXPECT_EQ(q::percent_decode("%"), std::nullopt);
  EXPECT_EQ(q::percent_decode("a%41"), "aA");
}
