// /api/party-state's kept rows (http/room_row_cache.hpp): one read in flight
// per code, kept for the ttl, dropped on a change, bounded.
#include "http/room_row_cache.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace w = session_clock::worker;
using namespace std::chrono;

namespace {

const steady_clock::time_point kT0 = steady_clock::time_point{} + hours(1);

// A database stand-in: reads wait until answered by the test.
struct Reads {
  std::vector<std::function<void(w::db::RoomRead)>> pending;
  w::RoomRowCache::Fetch fetch() {
    return [this](std::function<void(w::db::RoomRead)> got) { pending.push_back(std::move(got)); };
  }
  void answer(std::int64_t version) {
    w::db::RoomRow row;
    row.code = "ABCD";
    row.version = version;
    auto got = std::move(pending.front());
    pending.erase(pending.begin());
    got({row, "", ""});
  }
};

}  // namespace

TEST(RoomRowCache, OneReadInFlightAnswersEveryoneThenTheRowIsKept) {
  w::RoomRowCache cache(milliseconds(250), 100);
  Reads reads;
  std::vector<std::int64_t> answered;
  auto record = [&](const w::db::RoomRead& r) { answered.push_back(r.room ? r.room->version : -1); };
  for (int i = 0; i < 5; ++i) cache.get("ABCD", kT0, reads.fetch(), record);
  EXPECT_EQ(reads.pending.size(), 1u);
  reads.answer(7);
  EXPECT_EQ(answered, std::vector<std::int64_t>(5, 7));
  cache.get("ABCD", kT0 + milliseconds(249), reads.fetch(), record);
  EXPECT_TRUE(reads.pending.empty());  // kept
  EXPECT_EQ(answered.size(), 6u);
  cache.get("ABCD", kT0 + milliseconds(250), reads.fetch(), record);
  EXPECT_EQ(reads.pending.size(), 1u);  // expired: read again
}

TEST(RoomRowCache, AChangeDropsTheRowAndARowReadBeforeItIsNotKept) {
  w::RoomRowCache cache(seconds(10), 100);
  Reads reads;
  int answers = 0;
  auto count = [&](const w::db::RoomRead&) { ++answers; };
  cache.get("ABCD", kT0, reads.fetch(), count);
  reads.answer(1);
  cache.forget("ABCD", 1);  // a join: the version it has
  cache.get("ABCD", kT0, reads.fetch(), count);
  EXPECT_TRUE(reads.pending.empty());
  cache.forget("ABCD", 2);
  cache.get("ABCD", kT0, reads.fetch(), count);
  ASSERT_EQ(reads.pending.size(), 1u);
  cache.forget("ABCD", 3);  // changed while it was read: answers, but is not kept
  reads.answer(2);
  EXPECT_EQ(answers, 3);
  cache.get("ABCD", kT0, reads.fetch(), count);
  EXPECT_EQ(reads.pending.size(), 1u);
  reads.answer(3);
  cache.forget_all();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RoomRowCache, AnUnavailableDatabaseIsNotKeptAndTheSizeIsBounded) {
  w::RoomRowCache cache(seconds(10), 2);
  int reads = 0;
  auto failing = [&](std::function<void(w::db::RoomRead)> got) {
    ++reads;
    got({std::nullopt, "down", "08006"});
  };
  auto ignore = [](const w::db::RoomRead&) {};
  cache.get("ABCD", kT0, failing, ignore);
  cache.get("ABCD", kT0, failing, ignore);
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(cache.size(), 0u);
  auto none = [&](std::function<void(w::db::RoomRead)> got) {
    ++reads;
    got({std::nullopt, "no room", "P0002"});
  };
  for (auto code : {"AAAA", "BBBB", "CCCC"}) cache.get(code, kT0, none, ignore);
  EXPECT_EQ(cache.size(), 2u);  // the third went straight to the database
  cache.get("AAAA", kT0, none, ignore);
  EXPECT_EQ(reads, 5);  // an unknown code is kept too
}
