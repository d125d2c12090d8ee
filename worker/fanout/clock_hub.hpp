// Live clocks: who follows which session, and the fan-out of changes.
//
// A NOTIFY is only a doorbell: the hub re-reads the row (coalescing a burst
// of rings into one read per session in flight), serialises CLOCK_STATE once
// and hands the same frame to every subscriber. After the listener
// reconnects, resync() re-reads every followed session, so a change whose
// notification was lost still arrives.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/clock_queries.hpp"
#include "fanout/coalesced_reads.hpp"
#include "metrics/metrics.hpp"
#include "fanout/subscriber.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class ClockHub : public std::enable_shared_from_this<ClockHub> {
 public:
  ClockHub(boost::asio::io_context& io, db::ClockQueries& db, Metrics& metrics, const ServerClock& clock);

  // Follow session_id; the current state is read and pushed to everyone
  // following it (so the newcomer gets it at once).
  void subscribe(const std::string& session_id, std::weak_ptr<Subscriber> subscriber);
  void unsubscribe(const std::string& session_id, const Subscriber* subscriber);
  // A NOTIFY about the session: re-read it if anyone here follows it.
  void on_change(const std::string& session_id);
  void resync();

 private:
  struct Topic {
    std::vector<std::weak_ptr<Subscriber>> subscribers;
    std::chrono::steady_clock::time_point rung_at;  // of the ring the read in flight answers
  };
  void refresh(const std::string& session_id, std::chrono::steady_clock::time_point rung_at);
  void read(const std::string& session_id);
  void on_read(const std::string& session_id, db::ClockRead result);
  void retry_later(const std::string& session_id);

  boost::asio::io_context& io_;
  db::ClockQueries& db_;
  Metrics& metrics_;
  const ServerClock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> topics_;
  CoalescedReads<std::string> reads_;
};

}  // namespace session_clock::worker
