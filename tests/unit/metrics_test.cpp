// The /metrics exposition: exact text, because promtool accepts what
// Prometheus would misread (1.23457e+07 parses, as the wrong number).
#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "ws/routes.hpp"

using session_clock::worker::Metrics;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST(Metrics, CountersPrintAsExactIntegersAtAnySize) {
  Metrics m({"TIME_PING", "invalid"}, "1.3.0", "abc123");
  m.pings = 12345678;                       // past 10^6: 1.23457e+07 as a double
  m.pushes = (std::uint64_t{1} << 53) + 1;  // past 2^53: not even a double can hold it
  m.connections_total = 18446744073709551615ull;
  m.connections = 1234567;
  m.count_message(0);
  auto text = m.prometheus_text(3000000, true, false);
  EXPECT_TRUE(has_line(text, "session_clock_pings_total 12345678")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_pushes_total 9007199254740993")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_connections_total 18446744073709551615")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_open_connections 1234567")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_listener_reconnects_total 3000000")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_database_up 1")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_listener_up 0")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_messages_total{type=\"TIME_PING\"} 1")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_messages_total{type=\"invalid\"} 0")) << text;
  EXPECT_EQ(text.find("e+"), std::string::npos) << text;
}

TEST(Metrics, HistogramSumIsExact) {
  Metrics m({}, "1.3.0", "abc123");
  for (int i = 0; i < 3; ++i) m.observe_push_latency(0.000250);  // 250 us each
  m.observe_push_latency(2.0);
  auto text = m.prometheus_text(0, true, true);
  EXPECT_TRUE(has_line(text, "session_clock_push_latency_seconds_bucket{le=\"0.0005\"} 3")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_push_latency_seconds_bucket{le=\"1.0\"} 3")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_push_latency_seconds_bucket{le=\"+Inf\"} 4")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_push_latency_seconds_sum 2.000750")) << text;
  EXPECT_TRUE(has_line(text, "session_clock_push_latency_seconds_count 4")) << text;
}

TEST(Metrics, BuildInfoNamesVersionAndCommit) {
  Metrics m({}, "1.3.0", "0123456789ab-dirty");
  EXPECT_TRUE(has_line(m.prometheus_text(0, true, true),
                       "session_clock_build_info{version=\"1.3.0\",commit=\"0123456789ab-dirty\"} 1"));
}

// OpenMetrics names a counter's family without _total, and a histogram's
// samples _bucket/_sum/_count: no two families, and no family and sample,
// may meet.
TEST(Metrics, NamesStayDistinctUnderOpenMetrics) {
  Metrics m(session_clock::worker::route_names(), "1.3.0", "abc");
  m.stranded_running = 0;
  m.stranded_paused = 0;
  std::istringstream lines(m.prometheus_text(0, true, true));
  std::map<std::string, std::string> families;  // OpenMetrics family name -> type
  std::set<std::string> sample_names;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      std::string family = name;
      if (type == "counter") {
        ASSERT_GT(name.size(), 6u);
        ASSERT_EQ(name.substr(name.size() - 6), "_total") << name;
        family = name.substr(0, name.size() - 6);
      }
      EXPECT_TRUE(families.emplace(family, type).second) << "two families named " << family;
    } else if (!line.empty() && line[0] != '#') {
      sample_names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  for (const auto& [family, type] : families) {
    if (type == "counter") continue;
    for (const auto& [other, other_type] : families) {
      if (other != family && other_type == "counter") {
        EXPECT_NE(other, family);
      }
    }
  }
  for (const auto& sample : sample_names) {
    for (const auto& [family, type] : families) {
      if (type == "gauge") {
        EXPECT_NE(sample, family + "_total") << "gauge " << family << " beside a counter";
      }
    }
  }
}

// Every parsed message type has its own series, so none is counted under
// another's name.
TEST(Metrics, EveryRouteHasItsOwnSeries) {
  auto names = session_clock::worker::route_names();
  std::set<std::string> distinct(names.begin(), names.end());
  EXPECT_EQ(distinct.size(), names.size());
  Metrics m(names, "1.3.0", "abc");
  auto text = m.prometheus_text(0, true, true);
  for (const auto& name : names)
    EXPECT_TRUE(has_line(text, "session_clock_messages_total{type=\"" + std::string(name) + "\"} 0")) << name;
}

// The database clock's gauges: exact signed seconds to the microsecond, the
// error +Inf until the first exchange, and no offset until then (0 would
// read as "the hosts agree").
TEST(Metrics, DatabaseClockGaugesAreExactAndAbsentUntilMeasured) {
  Metrics m({}, "1.3.0", "abc123");
  auto before = m.prometheus_text(0, true, true);
  EXPECT_TRUE(has_line(before, "session_clock_database_clock_error_seconds +Inf")) << before;
  EXPECT_EQ(before.find("session_clock_database_clock_offset_seconds"), std::string::npos) << before;
  auto after = m.prometheus_text(0, true, true, {true, -2500.1234, 0.4567, 12.0});
  EXPECT_TRUE(has_line(after, "session_clock_database_clock_offset_seconds -2.500123")) << after;
  EXPECT_TRUE(has_line(after, "session_clock_database_clock_error_seconds 0.000457")) << after;
  EXPECT_TRUE(has_line(after, "session_clock_database_clock_age_seconds 0.012000")) << after;
  EXPECT_TRUE(has_line(after, "# TYPE session_clock_database_clock_offset_seconds gauge")) << after;
}
