// Counters for GET /metrics (Prometheus text format). Lock-free: every
// connection thread bumps them.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace session_clock::worker {

// The database clock's estimate as /metrics shows it (time/server_clock.hpp):
// plain values, so this file needs nothing of the clock's.
struct DatabaseClockGauges {
  bool measured = false;
  double offset_ms = 0;  // database clock − this host's wall clock
  double error_ms = std::numeric_limits<double>::infinity();  // bound on the served time's error; infinity until measured
  double age_ms = 0;     // since the latest exchange
};

class Metrics {
 public:
  // message_types: the labels messages are counted under, by route index
  // (ws/routes.hpp names every type once); the build's version and commit
  // label session_clock_build_info.
  Metrics(std::vector<const char*> message_types, std::string build_version, std::string build_commit);

  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> pings{0};
  std::atomic<std::uint64_t> pushes{0};
  std::atomic<std::uint64_t> notifications{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> queue_drops{0};  // slow readers closed
  std::atomic<std::uint64_t> connections_refused{0};  // beyond --max-connections or --max-connections-per-ip
  std::atomic<std::uint64_t> frames_superseded{0};    // queued CLOCK_STATEs and ticks a newer one replaced
  std::atomic<std::uint64_t> http_requests{0};
  std::atomic<std::uint64_t> party_state_queries{0};  // /api/party-state reads sent to the database
  std::atomic<std::uint64_t> party_state_limited{0};  // /api/party-state lookups refused (429)
  std::atomic<std::uint64_t> deadlines_applied{0};  // grace pauses this worker wrote
  std::atomic<std::uint64_t> webhooks{0};           // LiveKit webhooks accepted
  std::atomic<std::uint64_t> livekit_rooms_reconciled{0};    // rooms compared with LiveKit's RoomService
  std::atomic<std::uint64_t> livekit_reconcile_changes{0};   // presence it corrected (missed webhooks)
  std::atomic<std::uint64_t> livekit_reconcile_failures{0};  // rooms LiveKit or the database could not answer for
  // session_clock.stranded_sessions by problem; -1 until first counted.
  std::atomic<std::int64_t> stranded_running{-1};  // running below the minimum, no deadline pending
  std::atomic<std::int64_t> stranded_paused{-1};   // paused automatically while enough are present

  void count_message(std::size_t route);
  // Time from a NOTIFY's arrival to the push being queued to a subscriber.
  void observe_push_latency(double seconds);
  std::string prometheus_text(std::uint64_t listener_reconnects, bool database_up, bool listener_up,
                              const DatabaseClockGauges& database_clock = {}) const;

 private:
  static constexpr std::array<double, 10> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
  static constexpr std::array<const char*, 10> kBucketLabels{"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                                            "0.025",  "0.05",  "0.1",    "0.25",  "1.0"};
  std::array<std::atomic<std::uint64_t>, 11> latency_buckets_{};  // last: +Inf
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
  std::string build_version_;
  std::string build_commit_;
  // Messages by type: a fixed set, so no map and no lock.
  std::vector<const char*> message_types_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> messages_;
};

}  // namespace session_clock::worker
