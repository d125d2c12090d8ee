// Playback rooms on this worker: which of its connections are in which room,
// and the fan-out of each change to them.
//
// Every change reaches every worker as a NOTIFY (the database is the truth);
// each worker re-reads the room and tells its own members, building each
// frame once and sharing it. A play is announced at once (PREPARE_PLAY) and
// again at its start instant (PLAY_AT, from a monotonic timer set from the
// start time); pause and stop are announced at once with the instant they
// take effect. Versions only increase: a change read twice (the commanding
// worker applies the RPC's answer at once, then hears the NOTIFY) is sent once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "db/room_queries.hpp"
#include "fanout/coalesced_reads.hpp"
#include "protocol/room_frames.hpp"
#include "metrics/metrics.hpp"
#include "fanout/subscriber.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class RoomHub : public std::enable_shared_from_this<RoomHub> {
 public:
  RoomHub(boost::asio::io_context& io, db::RoomQueries& db, Metrics& metrics, const ServerClock& clock);

  // A connection of `user` enters (with its latest round trip, -1 unknown),
  // given the room as its join answered: a play still ahead is announced
  // to it (PREPARE_PLAY now, PLAY_AT with everyone else). Or it leaves.
  void enter(const protocol::RoomView& room, std::weak_ptr<Subscriber> member, const Subscriber* key,
             const std::string& user, double rtt_ms);
  void leave(const std::string& code, const Subscriber* key);
  void update_rtt(const std::string& code, const Subscriber* key, double rtt_ms);

  // The lead time for a command in this room: long enough for the slowest
  // member's round trip plus preparation, within 250 ms..3 s; nullopt (the
  // room's default, 1200 ms) while some member's round trip is unknown.
  std::optional<int> lead_ms(const std::string& code) const;

  // A room state from an RPC's answer or a re-read.
  void apply(const protocol::RoomView& room);
  // A NOTIFY about the room (event room_play, room_join, …, at version).
  void on_change(const std::string& code, const std::string& event, std::int64_t version);
  void resync();  // after the listener reconnects: re-read every room

  static constexpr double kPreparationMs = 500;

 private:
  struct Member {
    std::weak_ptr<Subscriber> subscriber;
    std::string user;
    double rtt_ms = -1;
  };
  struct Room {
    std::unordered_map<const Subscriber*, Member> members;
    std::int64_t version = 0;
    std::string host;
    nlohmann::json member_list;  // as last seen, to tell READY/join changes apart
    std::string playback;        // status, start, position and track as last announced
    std::shared_ptr<boost::asio::steady_timer> play_timer;
  };
  void read(const std::string& code);
  void apply_locked(Room& room, const protocol::RoomView& view);
  void broadcast(Room& room, const Frame& frame);
  void tell_host(Room& room, const Frame& frame);
  void schedule_play_at(const std::string& code, Room& room, const protocol::RoomView& view);
  void wait_for_start(std::shared_ptr<boost::asio::steady_timer> timer, const std::string& code, std::int64_t version,
                      double start_ms, Frame frame);
  // A timer woken this early by the database's clock waits again (a rounding
  // to the microsecond is not a reason to).
  static constexpr double kEarlyToleranceMs = 0.05;

  boost::asio::io_context& io_;
  db::RoomQueries& db_;
  Metrics& metrics_;
  const ServerClock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Room> rooms_;
  CoalescedReads<std::string> reads_;  // a burst of joins is one read
};

}  // namespace session_clock::worker
