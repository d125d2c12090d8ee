// This worker's share of presence: which users are in which sessions through
// its WebSocket connections, reported to the database (the truth) under the
// worker's lease.
//
// A user may be in one session through several connections: the database
// hears "present" on the first and "gone" after the last. Reports for one
// (session, user) are sent one at a time, always the latest wish, so a quick
// leave-and-rejoin can never be applied out of order; a failed report is
// retried until it lands. After the lease is (re)registered, report_all()
// sends everything again: the sweep of an expired lease removed it.
//
// In a single-device session (seed 003) each joining connection also claims
// the session for itself (session_clock.claim_device). Claims go out in the
// same one-at-a-time order, after the user's presence here has landed: the
// user is present before any older connection is told to leave, and a claim
// can never follow (and undo) a "gone".
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "db/presence_queries.hpp"

namespace session_clock::worker {

class PresenceTracker : public std::enable_shared_from_this<PresenceTracker> {
 public:
  PresenceTracker(boost::asio::io_context& io, db::PresenceQueries& db, std::string worker_id);

  // A connection's claim: `claimed` gets the claim's number (nullopt when
  // the session does not keep one device per user, or the claim failed for
  // good), on the tracker's thread.
  struct DeviceClaim {
    std::string device;
    std::function<void(std::optional<std::int64_t> claim)> claimed;
  };

  // A name for a new connection, unique across workers (this worker's id).
  std::string new_device();
  void join(const std::string& session_id, const std::string& user, DeviceClaim claim);
  void leave(const std::string& session_id, const std::string& user, const std::string& device);
  void report_all();

  // (session, user) pairs present or still being reported, for /metrics.
  std::size_t size() const;
  // Reports not yet acknowledged by the database (0: all landed).
  std::size_t pending() const;

  static constexpr auto kRetryDelay = std::chrono::milliseconds(500);

 private:
  using Key = std::pair<std::string, std::string>;  // session, user
  struct Entry {
    int connections = 0;
    std::optional<bool> reported;  // what the database has, as far as we know
    bool in_flight = false;
    bool retry_scheduled = false;
    std::deque<DeviceClaim> claims;  // of connections still here, oldest first
  };
  void flush(const Key& key);  // mutex held
  void send_claim(const Key& key, Entry& e);  // mutex held
  void on_reported(const Key& key, bool present, const db::Failure& failure);
  void on_claimed(const Key& key, const std::string& device, const db::DeviceClaimed& result);
  void retry_later(const Key& key);  // mutex held

  boost::asio::io_context& io_;
  db::PresenceQueries& db_;
  std::string worker_id_;
  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  std::uint64_t devices_ = 0;
};

}  // namespace session_clock::worker
