// Presence reconciled with LiveKit's RoomService (--livekit-url). LiveKit
// retries a failed webhook only for a while, so a worker that was down, or a
// lost event, would leave presence stale and a clock running (or paused) for
// hours. A pass asks LiveKit who is in every room that holds LiveKit presence
// and lets the database replace that room's presence with the answer
// (session_clock.livekit_reconcile): only real changes are logged, and
// webhooks that arrive meanwhile win.
//
// Passes run after the LISTEN connection (re)connects, i.e. at start and
// after a database outage; every interval; and soon again after a pass that
// could not reach LiveKit or the database. One pass at a time, on a thread of
// its own, since RoomService calls block.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <memory>

#include "db/livekit_queries.hpp"
#include "livekit/room_service.hpp"
#include "metrics/metrics.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker::livekit {

class Reconciler : public std::enable_shared_from_this<Reconciler> {
 public:
  static constexpr int kMaxRoomsPerPass = 1000;

  Reconciler(boost::asio::io_context& io, db::LiveKitQueries& db, Metrics& metrics, const ServerClock& clock,
                    RoomServiceClient client, std::chrono::milliseconds interval);

  void start();  // passes every interval from now on
  void poke();   // a pass now; one already running is followed by another
  void stop();   // no new passes; a running one ends after its current room
  void join();   // waits for a running pass (call before the database stops)

 private:
  void schedule(std::chrono::milliseconds delay);
  void begin_pass();  // on the io_context
  bool pass();        // on pass_thread_: true if every room was reconciled
  bool reconcile(const db::ReconcileRoom& room);
  void end_pass(bool ok);

  boost::asio::io_context& io_;
  db::LiveKitQueries& db_;
  Metrics& metrics_;
  const ServerClock& clock_;
  RoomServiceClient client_;
  std::chrono::milliseconds interval_;
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool pass_thread_{1};
  bool running_ = false;  // these three on the io_context only
  bool again_ = false;
  bool failing_ = false;
  std::atomic<bool> stopped_{false};
};

}  // namespace session_clock::worker::livekit
