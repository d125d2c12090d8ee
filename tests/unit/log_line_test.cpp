// Log lines a machine can read: every message, however awkward, survives a
// logfmt or JSON reader unchanged (tests/support/logfmt.hpp is the reader the
// integration suite also uses on every line the worker writes).
#include "log/log_line.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "logfmt.hpp"

namespace logline = session_clock::worker::log;
using std::chrono::system_clock;

namespace {

const system_clock::time_point kAt = system_clock::time_point(std::chrono::milliseconds(1738326896789));  // 2025-01-31T12:34:56.789Z

const std::vector<std::string> kAwkward = {
    "plain",
    "",
    "listener: cannot connect: connection to server at \"127.0.0.1\", port 5432 failed: Connection refused\n"
    "\tIs the server running on that host and accepting TCP/IP connections?\n",
    R"(ERROR:  relation "session_clock.sessions" does not exist)",
    "back\\slash and key=value and msg=\"fake\" level=error",
    std::string("nul\0byte", 8),
    "\x01\x1f\x7f control",
    "invalid utf-8: \xff\xfe",
    "utf-8: é ☃ 😀",
};

}  // namespace

TEST(LogLine, TimestampIsRfc3339Utc) { EXPECT_EQ(logline::timestamp(kAt), "2025-01-31T12:34:56.789Z"); }

TEST(LogLine, LogfmtOfEveryMessageReadsBack) {
  for (const auto& message : kAwkward) {
    auto line = logline::format_line(logline::Format::logfmt, kAt, "warning", message);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    auto fields = session_clock::testing::parse_logfmt(line);
    ASSERT_TRUE(fields) << line;
    EXPECT_EQ((*fields)["ts"], "2025-01-31T12:34:56.789Z");
    EXPECT_EQ((*fields)["level"], "warning");
    std::string expected = message;
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\t' || expected.back() == ' '))
      expected.pop_back();
    if (expected.find('\xff') != std::string::npos) expected = "invalid utf-8: \xEF\xBF\xBD\xEF\xBF\xBD";
    EXPECT_EQ((*fields)["msg"], expected) << line;
  }
}

TEST(LogLine, JsonOfEveryMessageReadsBack) {
  for (const auto& message : kAwkward) {
    auto line = logline::format_line(logline::Format::json, kAt, "info", message);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j["ts"], "2025-01-31T12:34:56.789Z");
    EXPECT_EQ(j["level"], "info");
    std::string expected = message;
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\t' || expected.back() == ' '))
      expected.pop_back();
    if (expected.find('\xff') != std::string::npos) expected = "invalid utf-8: \xEF\xBF\xBD\xEF\xBF\xBD";
    EXPECT_EQ(j["msg"], expected) << line;
  }
}

TEST(LogLine, TheReaderRefusesWhatIsNotLogfmt) {
  // The old pattern's lines: a bare timestamp, and quotes in msg unescaped.
  EXPECT_FALSE(session_clock::testing::parse_logfmt(
      R"(2025-01-31T12:34:56.789+00:00 level=warn msg="ERROR:  relation "x" does not exist")"));
  EXPECT_FALSE(session_clock::testing::parse_logfmt("ts=1 level=info msg=\"unterminated"));
  EXPECT_FALSE(session_clock::testing::parse_logfmt("ts=1 msg=\"bad \\q escape\""));
  EXPECT_TRUE(session_clock::testing::parse_logfmt("ts=1 level=info msg=\"ok \\\"quoted\\\" \\u00e9\""));
}
