// Replays tests/vectors/time_estimator.json through the worker's estimator
// (worker/time/time_estimator.cpp), as tests/browser/time_estimator_vectors
// .test.mjs does through client/time-estimator.js and tests/python/
// test_time_estimator_vectors.py through the Python port: the three must give
// bit-identical doubles, so a change to one that is not made to all fails
// somewhere. JSON round-trips doubles exactly; ±0 compare equal.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "time/time_estimator.hpp"

namespace session_clock::worker {
namespace {

using nlohmann::json;

json load_vectors() {
  std::ifstream in(std::string(SESSION_CLOCK_SOURCE_DIR) + "/tests/vectors/time_estimator.json");
  EXPECT_TRUE(in.good()) << "tests/vectors/time_estimator.json is missing";
  return json::parse(in);
}

// Infinity and NaN travel as strings.
double decode(const json& x) {
  if (x.is_string()) {
    auto s = x.get<std::string>();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    ADD_FAILURE() << "unexpected string " << s;
  }
  return x.get<double>();
}

::testing::AssertionResult same(double actual, const json& expected_json) {
  double expected = decode(expected_json);
  if (std::isnan(expected) ? std::isnan(actual) : actual == expected) return ::testing::AssertionSuccess();
  char buf[128];
  std::snprintf(buf, sizeof buf, "got %.17g, the vectors say %.17g (diff %.3g)", actual, expected, actual - expected);
  return ::testing::AssertionFailure() << buf;
}

EstimatorOptions options_of(const json& o) {
  EstimatorOptions out;
  for (auto& [k, v] : o.items()) {
    if (k == "windowSize") out.window_size = v.get<std::size_t>();
    else if (k == "windowMs") out.window_ms = v.get<double>();
    else if (k == "stepThresholdMs") out.step_threshold_ms = v.get<double>();
    else if (k == "slewRate") out.slew_rate = v.get<double>();
    else if (k == "stepSamples") out.step_samples = v.get<std::size_t>();
    else if (k == "driftPpm") out.drift_ppm = v.get<double>();
    else if (k == "resolutionMs") out.resolution_ms = v.get<double>();
    else ADD_FAILURE() << "unknown option " << k;
  }
  return out;
}

TEST(TimeEstimatorVectors, CoverEveryBehaviourTheyAreMeantTo) {
  std::set<std::string> names;
  auto vectors = load_vectors();  // kept: a loop over a temporary's member would dangle
  for (auto& c : vectors["cases"]) names.insert(c["name"].get<std::string>());
  for (const char* n : {"quiet path", "uniform jitter", "asymmetric delays", "clock step", "aging samples",
                        "resolution", "window size limit", "window age limit"})
    EXPECT_TRUE(names.count(n)) << "missing case " << n;
}

TEST(TimeEstimatorVectors, TheWorkerEstimatorMatchesTheReferenceBitForBit) {
  auto vectors = load_vectors();
  std::size_t checked = 0;
  for (auto& c : vectors["cases"]) {
    const auto name = c["name"].get<std::string>();
    TimeEstimator e(options_of(c["options"]));
    std::size_t i = 0;
    for (auto& step : c["steps"]) {
      const auto op = step["op"].get<std::string>();
      SCOPED_TRACE(name + ", step " + std::to_string(i++) + " (" + op + ")");
      std::optional<EstimatorSample> returned;
      if (op == "sample")
        returned = e.add_sample(decode(step["t1"]), decode(step["t2"]), decode(step["t3"]), decode(step["t4"]));
      else if (op == "clearWindow")
        e.clear_window();
      else if (op == "invalidate")
        e.invalidate();
      else
        ASSERT_EQ(op, "query");
      const auto& x = step["expect"];
      if (x["returned"].is_null()) {
        EXPECT_FALSE(returned) << "a sample was accepted";
      } else {
        ASSERT_TRUE(returned) << "the sample was refused";
        const auto& r = x["returned"];
        EXPECT_TRUE(same(returned->offset, r["offset"])) << "returned.offset";
        EXPECT_TRUE(same(returned->delay, r["delay"])) << "returned.delay";
        EXPECT_TRUE(same(returned->up, r["up"])) << "returned.up";
        EXPECT_TRUE(same(returned->down, r["down"])) << "returned.down";
        EXPECT_TRUE(same(returned->round_trip, r["roundTrip"])) << "returned.roundTrip";
        EXPECT_TRUE(same(returned->at, r["at"])) << "returned.at";
      }
      EXPECT_EQ(e.synced(), x["synced"].get<bool>());
      EXPECT_EQ(e.sample_count(), x["sampleCount"].get<std::size_t>());
      EXPECT_EQ(e.steps(), x["steps"].get<std::size_t>());
      EXPECT_EQ(e.restarts(), x["restarts"].get<std::size_t>());
      EXPECT_TRUE(same(e.residual_ms(), x["residualMs"])) << "residualMs";
      for (auto& s : x["snapshots"]) {
        double at = s["at"].get<double>();
        auto got = e.snapshot(at);
        SCOPED_TRACE("snapshot at " + s["at"].dump());
        EXPECT_TRUE(same(got.offset_ms, s["offsetMs"])) << "offsetMs";
        EXPECT_TRUE(same(got.target_offset_ms, s["targetOffsetMs"])) << "targetOffsetMs";
        EXPECT_TRUE(same(got.max_error_ms, s["maxErrorMs"])) << "maxErrorMs";
        EXPECT_TRUE(same(got.rtt_ms, s["rttMs"])) << "rttMs";
        EXPECT_TRUE(same(got.delay_ms, s["delayMs"])) << "delayMs";
        EXPECT_EQ(got.synced, s["synced"].get<bool>());
        EXPECT_EQ(got.samples, s["samples"].get<std::size_t>());
        EXPECT_EQ(got.steps, s["steps"].get<std::size_t>());
        EXPECT_TRUE(same(got.last_sample_age_ms, s["lastSampleAgeMs"])) << "lastSampleAgeMs";
        EXPECT_TRUE(same(e.server_time(at), s["serverTime"])) << "serverTime";
        ++checked;
      }
      if (::testing::Test::HasFailure()) return;  // the first divergence says it all
    }
  }
  EXPECT_GT(checked, 500u);
}

TEST(TimeEstimatorOptions, RefusesWhatTheReferenceRefuses) {
  EstimatorOptions o;
  o.slew_rate = 1;
  EXPECT_THROW(TimeEstimator{o}, std::invalid_argument);
  o = {};
  o.window_size = 0;
  EXPECT_THROW(TimeEstimator{o}, std::invalid_argument);
  o = {};
  o.drift_ppm = -1;
  EXPECT_THROW(TimeEstimator{o}, std::invalid_argument);
  EXPECT_NO_THROW(TimeEstimator{});
}

}  // namespace
}  // namespace session_clock::worker
