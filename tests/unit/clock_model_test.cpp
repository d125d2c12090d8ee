#include "core/clock_model.hpp"

#include <gtest/gtest.h>

#include "core/sql_error.hpp"

namespace core = session_clock::core;
using core::Micros;

namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kT0 = 1'000 * kSecond;

core::ClockState started() { return core::start(kT0).state; }

}  // namespace

TEST(ClockModel, StartsAtZeroAndRunsAtRateOne) {
  auto t = core::start(kT0);
  EXPECT_TRUE(t.changed);
  EXPECT_EQ(t.state.version, 1);
  EXPECT_EQ(t.event.kind, core::EventKind::start);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(t.state, kT0), 0.0);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(t.state, kT0 + 2500), 2.5);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(t.state, kT0 + 90 * kSecond), 90'000.0);
}

TEST(ClockModel, PauseFreezesAndResumeAddsThePause) {
  auto paused = core::pause(started(), kT0 + 10 * kSecond);
  ASSERT_TRUE(paused.changed);
  EXPECT_TRUE(paused.state.is_paused);
  EXPECT_EQ(paused.state.version, 2);
  EXPECT_DOUBLE_EQ(paused.event.elapsed_ms, 10'000.0);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(paused.state, kT0 + 50 * kSecond), 10'000.0);

  auto resumed = core::resume(paused.state, kT0 + 25 * kSecond);
  ASSERT_TRUE(resumed.changed);
  EXPECT_FALSE(resumed.state.is_paused);
  EXPECT_EQ(resumed.state.total_paused_ms, 15'000);
  EXPECT_EQ(resumed.event.paused_ms, 15'000);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(resumed.state, kT0 + 30 * kSecond), 15'000.0);
}

TEST(ClockModel, RepeatedCallsChangeNothing) {
  auto paused = core::pause(started(), kT0 + kSecond).state;
  auto again = core::pause(paused, kT0 + 2 * kSecond);
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.state, paused);

  auto running = started();
  EXPECT_FALSE(core::resume(running, kT0 + kSecond).changed);

  auto stopped = core::stop(running, kT0 + kSecond).state;
  auto stop_again = core::stop(stopped, kT0 + 2 * kSecond);
  EXPECT_FALSE(stop_again.changed);
  EXPECT_EQ(stop_again.state, stopped);
}

TEST(ClockModel, PausedIntervalsFloorToWholeMilliseconds) {
  auto paused = core::pause(started(), kT0 + 1000).state;
  auto resumed = core::resume(paused, kT0 + 1000 + 2999);  // 2.999 ms paused
  EXPECT_EQ(resumed.state.total_paused_ms, 2);
  // Flooring can only move the clock forward, never back.
  EXPECT_GE(core::elapsed_ms(resumed.state, kT0 + 1000 + 2999), core::elapsed_ms(paused, kT0 + 1000 + 2999));
}

TEST(ClockModel, BackwardClockStepCountsAsZero) {
  auto paused = core::pause(started(), kT0 + 10 * kSecond).state;
  auto resumed = core::resume(paused, kT0 + 4 * kSecond);  // host clock stepped back 6 s
  ASSERT_TRUE(resumed.changed);
  EXPECT_TRUE(resumed.event.clock_stepped_back);
  EXPECT_EQ(resumed.event.paused_ms, 0);
  EXPECT_EQ(resumed.state.total_paused_ms, paused.total_paused_ms);
  EXPECT_EQ(resumed.state.last_change_us, paused.last_change_us);
  // Reading the running clock at the stepped-back time does not run it backwards.
  EXPECT_DOUBLE_EQ(core::elapsed_ms(resumed.state, kT0 + 4 * kSecond), 10'000.0);
}

TEST(ClockModel, StopWhilePausedClosesThePause) {
  auto paused = core::pause(started(), kT0 + 10 * kSecond).state;
  auto stopped = core::stop(paused, kT0 + 40 * kSecond);
  ASSERT_TRUE(stopped.changed);
  EXPECT_EQ(stopped.event.paused_ms, 30'000);
  EXPECT_EQ(stopped.state.total_paused_ms, 30'000);
  EXPECT_TRUE(stopped.state.ended());
  EXPECT_DOUBLE_EQ(core::elapsed_ms(stopped.state, kT0 + 100 * kSecond), 10'000.0);
}

TEST(ClockModel, StoppedClockRefusesPauseAndResume) {
  auto stopped = core::stop(started(), kT0 + kSecond).state;
  try {
    core::pause(stopped, kT0 + 2 * kSecond);
    FAIL() << "pause of a stopped clock must throw";
  } catch (const core::SqlError& e) {
    EXPECT_STREQ(e.sqlstate(), "55000");
  }
  EXPECT_THROW(core::resume(stopped, kT0 + 2 * kSecond), core::SqlError);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(stopped, kT0 + 60 * kSecond), 1'000.0);
}

TEST(ClockModel, ReplayReproducesTheLiveState) {
  std::vector<core::Event> log;
  auto live = core::start(kT0);
  log.push_back(live.event);
  Micros now = kT0;
  // An irregular walk: pauses and resumes of odd microsecond lengths.
  for (int i = 1; i <= 50; ++i) {
    now += 123'457 * i;
    auto next = (i % 2) ? core::pause(live.state, now) : core::resume(live.state, now);
    ASSERT_TRUE(next.changed);
    log.push_back(next.event);
    live = next;
  }
  auto stopped = core::stop(live.state, now + 777);
  log.push_back(stopped.event);
  EXPECT_EQ(core::replay(log), stopped.state);
}

TEST(ClockModel, ReplayRejectsImpossibleLogs) {
  EXPECT_THROW(core::replay({}), core::SqlError);
  core::Event start{core::EventKind::start, kT0};
  core::Event pause{core::EventKind::pause, kT0 + kSecond};
  core::Event early{core::EventKind::resume, kT0 - kSecond};
  EXPECT_THROW(core::replay({pause}), core::SqlError);
  EXPECT_THROW(core::replay({start, pause, pause}), core::SqlError);
  EXPECT_THROW(core::replay({start, pause, early}), core::SqlError);
  EXPECT_THROW(core::replay({start, start}), core::SqlError);
}

TEST(ClockModel, EventNamesRoundTrip) {
  for (auto kind : {core::EventKind::start, core::EventKind::pause, core::EventKind::resume, core::EventKind::stop})
    EXPECT_EQ(core::parse_event_name(core::event_name(kind)), kind);
  EXPECT_FALSE(core::parse_event_name("restart").has_value());
}

TEST(ClockModel, AbsurdRowsAreAnErrorNotAWrapAround) {
  auto s = started();
  s.total_paused_ms = INT64_MAX;
  EXPECT_THROW(core::elapsed_ms(s, kT0 + kSecond), core::SqlError);
}
