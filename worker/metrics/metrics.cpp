#include "metrics/metrics.hpp"

#include <cstring>
#include <sstream>

namespace session_clock::worker {

Metrics::Metrics(std::vector<const char*> message_types)
    : message_types_(std::move(message_types)),
      messages_(std::make_unique<std::atomic<std::uint64_t>[]>(message_types_.size())) {}

void Metrics::count_message(std::size_t route) {
  if (route < message_types_.size()) messages_[route]++;
}

void Metrics::observe_push_latency(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  latency_buckets_[i]++;
  latency_count_++;
  latency_sum_us_ += static_cast<std::uint64_t>(seconds * 1e6);
}

std::string Metrics::prometheus_text(std::uint64_t listener_reconnects, bool database_up, bool listener_up) const {
  std::ostringstream o;
  auto gauge = [&](const char* name, const char* help, double value, const char* type = "gauge") {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n' << name << ' ' << value << '\n';
  };
  gauge("session_clock_connections", "open WebSocket connections", connections.load());
  gauge("session_clock_connections_total", "WebSocket connections accepted", connections_total.load(), "counter");
  gauge("session_clock_pings_total", "time sync requests answered", pings.load(), "counter");
  gauge("session_clock_pushes_total", "CLOCK_STATE frames queued to subscribers", pushes.load(), "counter");
  gauge("session_clock_notifications_total", "NOTIFYs received", notifications.load(), "counter");
  gauge("session_clock_listener_reconnects_total", "LISTEN connection re-establishments", listener_reconnects, "counter");
  gauge("session_clock_errors_total", "ERROR frames sent", errors.load(), "counter");
  gauge("session_clock_rate_limited_total", "messages refused by the rate limit", rate_limited.load(), "counter");
  gauge("session_clock_queue_drops_total", "connections closed for reading too slowly", queue_drops.load(), "counter");
  gauge("session_clock_http_requests_total", "HTTP requests served", http_requests.load(), "counter");
  gauge("session_clock_deadlines_applied_total", "grace deadlines this worker applied (clocks paused)",
        deadlines_applied.load(), "counter");
  gauge("session_clock_webhooks_total", "LiveKit webhooks accepted", webhooks.load(), "counter");
  gauge("session_clock_livekit_rooms_reconciled_total", "LiveKit rooms compared with RoomService",
        livekit_rooms_reconciled.load(), "counter");
  gauge("session_clock_livekit_reconcile_changes_total", "participants whose presence reconciliation corrected",
        livekit_reconcile_changes.load(), "counter");
  gauge("session_clock_livekit_reconcile_failures_total", "rooms that could not be reconciled (LiveKit or database)",
        livekit_reconcile_failures.load(), "counter");
  gauge("session_clock_database_up", "1 if the last query succeeded", database_up ? 1 : 0);
  gauge("session_clock_listener_up", "1 if the LISTEN connection is up", listener_up ? 1 : 0);

  // Both should always be 0: a billing alarm (docs/grace.md).
  if (stranded_running.load() >= 0) {
    o << "# HELP session_clock_stranded_sessions open tracked sessions in a state the grace rule never leaves them in\n"
         "# TYPE session_clock_stranded_sessions gauge\n"
         "session_clock_stranded_sessions{problem=\"running_without_deadline\"} " << stranded_running.load() << '\n'
      << "session_clock_stranded_sessions{problem=\"auto_paused_while_present\"} " << stranded_paused.load() << '\n';
  }

  o << "# HELP session_clock_messages_total WebSocket messages received, by type\n"
       "# TYPE session_clock_messages_total counter\n";
  for (std::size_t i = 0; i < message_types_.size(); ++i)
    o << "session_clock_messages_total{type=\"" << message_types_[i] << "\"} " << messages_[i].load() << '\n';

  o << "# HELP session_clock_push_latency_seconds NOTIFY arrival to push queued\n"
       "# TYPE session_clock_push_latency_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load();
    o << "session_clock_push_latency_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << '\n';
  }
  cumulative += latency_buckets_.back().load();
  o << "session_clock_push_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n'
    << "session_clock_push_latency_seconds_sum " << latency_sum_us_.load() / 1e6 << '\n'
    << "session_clock_push_latency_seconds_count " << latency_count_.load() << '\n';
  return o.str();
}

}  // namespace session_clock::worker
