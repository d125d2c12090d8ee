#include "core/grace_policy.hpp"

#include <gtest/gtest.h>

#include "core/sql_error.hpp"

namespace core = session_clock::core;
using core::EventKind;
using core::Micros;

namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kT0 = 1'000 * kSecond;
const core::GraceConfig kConfig{2, 30'000};

// A running clock with presence tracked and `present` participants.
core::Session tracked(std::int32_t present) {
  core::Session s{core::start(kT0).state, {}};
  s.grace.tracked = true;
  s.grace.participants = present;
  return s;
}

// Applies changes in order, as the extension writes them.
core::Session after(core::Session s, const std::optional<core::SessionChange>& c) { return c ? c->next : s; }

}  // namespace

TEST(GracePolicy, UntrackedSessionsAreLeftAlone) {
  core::Session s{core::start(kT0).state, {}};
  EXPECT_FALSE(core::react(s, kConfig, kT0 + kSecond));
}

TEST(GracePolicy, DroppingBelowTheMinimumStartsADeadline) {
  auto left = core::presence_changed(tracked(2), EventKind::leave, 1, kT0 + kSecond);
  EXPECT_EQ(left.event.kind, EventKind::leave);
  EXPECT_EQ(left.next.clock.version, 2);
  auto c = core::react(left.next, kConfig, kT0 + kSecond);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::grace_start);
  EXPECT_STREQ(c->reason, core::kReasonBelowMinimum);
  EXPECT_EQ(c->next.grace.deadline_us, kT0 + 31 * kSecond);
  EXPECT_EQ(c->next.clock.version, 3);
  EXPECT_FALSE(c->next.clock.is_paused);
  // A second reaction changes nothing: the deadline stays where it was set.
  EXPECT_FALSE(core::react(c->next, kConfig, kT0 + 5 * kSecond));
}

TEST(GracePolicy, ComingBackInTimeCancelsTheDeadline) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  ASSERT_TRUE(s.grace.deadline_us);
  auto back = core::presence_changed(s, EventKind::join, 2, kT0 + 10 * kSecond);
  auto c = core::react(back.next, kConfig, kT0 + 10 * kSecond);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::grace_cancel);
  EXPECT_FALSE(c->next.grace.deadline_us);
  EXPECT_FALSE(c->next.clock.is_paused);
  EXPECT_FALSE(core::settle_deadline(c->next, kT0 + 60 * kSecond));
}

TEST(GracePolicy, ADueDeadlinePausesAsOfTheDeadline) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  EXPECT_FALSE(core::settle_deadline(s, kT0 + 30 * kSecond - 1));
  auto c = core::settle_deadline(s, kT0 + 95 * kSecond);  // applied late
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::pause);
  EXPECT_STREQ(c->reason, core::kReasonParticipantDisconnected);
  EXPECT_EQ(c->event.at_us, kT0 + 30 * kSecond);
  EXPECT_EQ(c->next.clock.last_change_us, kT0 + 30 * kSecond);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(c->next.clock, kT0 + 95 * kSecond), 30'000.0);
  EXPECT_TRUE(c->next.grace.auto_paused);
  EXPECT_FALSE(c->next.grace.deadline_us);
  EXPECT_FALSE(core::settle_deadline(c->next, kT0 + 96 * kSecond));  // exactly once
}

TEST(GracePolicy, ReadersSeeTheOverduePauseBeforeAnyoneWritesIt) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  EXPECT_FALSE(core::as_of(s, kT0 + 29 * kSecond).clock.is_paused);
  auto seen = core::as_of(s, kT0 + 40 * kSecond);
  EXPECT_TRUE(seen.clock.is_paused);
  EXPECT_EQ(seen.clock.version, s.clock.version + 1);
  EXPECT_EQ(seen.clock, core::settle_deadline(s, kT0 + 50 * kSecond)->next.clock);
}

TEST(GracePolicy, ComingBackAfterAnAutomaticPauseResumesAtOnce) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  s = core::settle_deadline(s, kT0 + 31 * kSecond)->next;
  auto back = core::presence_changed(s, EventKind::join, 2, kT0 + 50 * kSecond);
  auto c = core::react(back.next, kConfig, kT0 + 50 * kSecond);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::resume);
  EXPECT_STREQ(c->reason, core::kReasonParticipantsReconnected);
  EXPECT_EQ(c->event.paused_ms, 20'000);
  EXPECT_FALSE(c->next.grace.auto_paused);
  EXPECT_DOUBLE_EQ(core::elapsed_ms(c->next.clock, kT0 + 50 * kSecond), 30'000.0);
}

TEST(GracePolicy, AManualPauseIsNeverResumedAutomatically) {
  auto s = tracked(1);
  auto paused = core::manual_change(s, core::pause(s.clock, kT0 + kSecond), "break");
  EXPECT_FALSE(paused.next.grace.auto_paused);
  auto back = core::presence_changed(paused.next, EventKind::join, 3, kT0 + 2 * kSecond);
  EXPECT_FALSE(core::react(back.next, kConfig, kT0 + 2 * kSecond));
}

TEST(GracePolicy, PausingAnAutomaticPauseMakesItManual) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  s = core::settle_deadline(s, kT0 + 31 * kSecond)->next;
  auto held = core::hold(s, kT0 + 40 * kSecond, "lunch");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->event.kind, core::EventKind::hold);
  EXPECT_STREQ(held->reason, "lunch");
  EXPECT_EQ(held->next.clock.version, s.clock.version + 1);
  EXPECT_EQ(held->next.clock.last_change_us, s.clock.last_change_us);  // still paused since the deadline
  EXPECT_FALSE(held->next.grace.auto_paused);
  auto back = core::presence_changed(held->next, EventKind::join, 2, kT0 + 50 * kSecond);
  EXPECT_FALSE(core::react(back.next, kConfig, kT0 + 50 * kSecond));
  EXPECT_FALSE(core::hold(held->next, kT0 + 60 * kSecond, nullptr));  // already manual
  EXPECT_FALSE(core::hold(tracked(2), kT0, nullptr));                  // running
}

TEST(GracePolicy, AManualPauseCancelsThePendingDeadline) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  auto paused = core::manual_change(s, core::pause(s.clock, kT0 + kSecond), nullptr);
  EXPECT_FALSE(paused.next.grace.deadline_us);
  EXPECT_FALSE(core::settle_deadline(paused.next, kT0 + 60 * kSecond));
}

TEST(GracePolicy, AManualResumeBelowTheMinimumStartsAFreshDeadline) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  s = core::settle_deadline(s, kT0 + 30 * kSecond)->next;
  auto resumed = core::manual_change(s, core::resume(s.clock, kT0 + 40 * kSecond), nullptr);
  EXPECT_FALSE(resumed.next.grace.auto_paused);
  auto c = core::react(resumed.next, kConfig, kT0 + 40 * kSecond);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::grace_start);
  EXPECT_EQ(c->next.grace.deadline_us, kT0 + 70 * kSecond);
}

TEST(GracePolicy, ZeroGracePausesAtOnceAndZeroMinimumNever) {
  auto c = core::react(tracked(1), {2, 0}, kT0 + kSecond);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->event.kind, EventKind::pause);
  EXPECT_TRUE(c->next.grace.auto_paused);
  EXPECT_FALSE(core::react(tracked(0), {0, 30'000}, kT0 + kSecond));
}

TEST(GracePolicy, AStoppedClockDropsItsDeadline) {
  auto s = after(tracked(1), core::react(tracked(1), kConfig, kT0));
  auto stopped = core::manual_change(s, core::stop(s.clock, kT0 + kSecond), nullptr);
  EXPECT_FALSE(stopped.next.grace.deadline_us);
  EXPECT_FALSE(core::react(stopped.next, kConfig, kT0 + 2 * kSecond));
  EXPECT_FALSE(core::settle_deadline(stopped.next, kT0 + 60 * kSecond));
}

TEST(GracePolicy, TheLogOfAGracePeriodReplaysToTheSameClock) {
  std::vector<core::Event> log{core::start(kT0).event};
  auto s = tracked(2);
  auto apply = [&](const core::SessionChange& c) {
    log.push_back(c.event);
    s = c.next;
  };
  apply(core::presence_changed(s, EventKind::leave, 1, kT0 + kSecond));
  apply(*core::react(s, kConfig, kT0 + kSecond));
  apply(*core::settle_deadline(s, kT0 + 40 * kSecond));
  apply(core::presence_changed(s, EventKind::join, 2, kT0 + 45 * kSecond));
  apply(*core::react(s, kConfig, kT0 + 45 * kSecond));
  EXPECT_EQ(core::replay(log), s.clock);
}

TEST(GracePolicy, ConfigurationIsValidated) {
  EXPECT_NO_THROW(core::validate_grace_config(0, 0));
  EXPECT_NO_THROW(core::validate_grace_config(std::nullopt, core::kMaxGraceMs));
  EXPECT_THROW(core::validate_grace_config(-1, std::nullopt), core::SqlError);
  EXPECT_THROW(core::validate_grace_config(std::nullopt, core::kMaxGraceMs + 1), core::SqlError);
  EXPECT_THROW(core::validate_grace_config(core::kMaxMinParticipants + 1, 10), core::SqlError);
}
