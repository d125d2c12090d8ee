#include "metrics/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string_view>

namespace session_clock::worker {

Metrics::Metrics(std::vector<const char*> message_types, std::string build_version, std::string build_commit)
    : build_version_(std::move(build_version)),
      build_commit_(std::move(build_commit)),
      message_types_(std::move(message_types)),
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

namespace {

// A label value in the text format: \\, \" and \n escaped.
std::string label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Exact decimal text of a whole number of microseconds, in seconds.
std::string micros_as_seconds(std::uint64_t micros) {
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, "%06llu", static_cast<unsigned long long>(micros % 1000000));
  return std::to_string(micros / 1000000) + '.' + fraction;
}

// Exact decimal seconds of a (possibly negative) time in ms, to the
// microsecond: "-2.500123"; "+Inf" for an unbounded error.
std::string ms_as_seconds(double ms) {
  if (std::isinf(ms)) return ms > 0 ? "+Inf" : "-Inf";
  auto micros = static_cast<long long>(std::llround(ms * 1000.0));
  std::string sign = micros < 0 ? "-" : "";
  return sign + micros_as_seconds(static_cast<std::uint64_t>(micros < 0 ? -micros : micros));
}

}  // namespace

// Every value is an integer printed as one (a double would print 12345678 as
// 1.23457e+07, and lose precision past 2^53); the histogram's sum is exact
// microseconds. Names stay distinct under OpenMetrics, where a counter's
// family drops its _total: no gauge is named like a counter's family.
std::string Metrics::prometheus_text(std::uint64_t listener_reconnects, bool database_up, bool listener_up,
                                     const DatabaseClockGauges& database_clock) const {
  std::ostringstream o;
  auto family = [&](const char* name, const char* type, const char* help) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  };
  auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    family(name, "counter", help);
    o << name << ' ' << value << '\n';
  };
  auto gauge = [&](const char* name, const char* help, std::int64_t value) {
    family(name, "gauge", help);
    o << name << ' ' << value << '\n';
  };
  family("session_clock_build_info", "gauge", "the worker's version and the commit it was built from");
  o << "session_clock_build_info{version=\"" << label_value(build_version_) << "\",commit=\""
    << label_value(build_commit_) << "\"} 1\n";
  gauge("session_clock_open_connections", "open WebSocket connections", connections.load());
  counter("session_clock_connections_total", "WebSocket connections accepted", connections_total.load());
  counter("session_clock_pings_total", "time sync requests answered", pings.load());
  counter("session_clock_pushes_total", "CLOCK_STATE frames queued to subscribers", pushes.load());
  counter("session_clock_notifications_total", "NOTIFYs received", notifications.load());
  counter("session_clock_listener_reconnects_total", "LISTEN connection re-establishments", listener_reconnects);
  counter("session_clock_errors_total", "ERROR frames sent", errors.load());
  counter("session_clock_rate_limited_total", "messages refused by the rate limit", rate_limited.load());
  counter("session_clock_queue_drops_total", "connections closed for reading too slowly", queue_drops.load());
  counter("session_clock_connections_refused_total",
          "connections refused beyond --max-connections or --max-connections-per-ip (503, or closed)",
          connections_refused.load());
  counter("session_clock_frames_superseded_total", "queued CLOCK_STATE and time frames replaced by a newer one",
          frames_superseded.load());
  counter("session_clock_http_requests_total", "HTTP requests served", http_requests.load());
  counter("session_clock_party_state_queries_total", "/api/party-state reads sent to the database",
          party_state_queries.load());
  counter("session_clock_party_state_limited_total", "/api/party-state lookups refused with 429",
          party_state_limited.load());
  counter("session_clock_deadlines_applied_total", "grace deadlines this worker applied (clocks paused)",
          deadlines_applied.load());
  counter("session_clock_webhooks_total", "LiveKit webhooks accepted", webhooks.load());
  counter("session_clock_livekit_rooms_reconciled_total", "LiveKit rooms compared with RoomService",
          livekit_rooms_reconciled.load());
  counter("session_clock_livekit_reconcile_changes_total", "participants whose presence reconciliation corrected",
          livekit_reconcile_changes.load());
  counter("session_clock_livekit_reconcile_failures_total", "rooms that could not be reconciled (LiveKit or database)",
          livekit_reconcile_failures.load());
  gauge("session_clock_database_up", "1 if the last query succeeded", database_up ? 1 : 0);
  gauge("session_clock_listener_up", "1 if the LISTEN connection is up", listener_up ? 1 : 0);

  // The time this worker serves is the database's; how far it may be off
  // (+Inf until the first exchange) and how old the latest exchange is. The
  // offset is absent until measured: 0 would read as "the hosts agree".
  family("session_clock_database_clock_error_seconds", "gauge",
         "bound on the served time's error against the database's clock");
  o << "session_clock_database_clock_error_seconds " << ms_as_seconds(database_clock.error_ms) << '\n';
  if (database_clock.measured) {
    family("session_clock_database_clock_offset_seconds", "gauge",
           "the database's clock minus this host's wall clock, as measured");
    o << "session_clock_database_clock_offset_seconds " << ms_as_seconds(database_clock.offset_ms) << '\n';
    family("session_clock_database_clock_age_seconds", "gauge", "time since the database's clock was last read");
    o << "session_clock_database_clock_age_seconds " << ms_as_seconds(database_clock.age_ms) << '\n';
  }

  // Both should always be 0: a billing alarm (docs/grace.md).
  if (stranded_running.load() >= 0) {
    family("session_clock_stranded_sessions", "gauge",
           "open tracked sessions in a state the grace rule never leaves them in");
    o << "session_clock_stranded_sessions{problem=\"running_without_deadline\"} " << stranded_running.load() << '\n'
      << "session_clock_stranded_sessions{problem=\"auto_paused_while_present\"} " << stranded_paused.load() << '\n';
  }

  // One series per route, so every message type is counted under its own
  // name (ws/routes.cpp: one route per parsed type, "invalid" for refusals).
  family("session_clock_messages_total", "counter", "WebSocket messages received, by type");
  for (std::size_t i = 0; i < message_types_.size(); ++i)
    o << "session_clock_messages_total{type=\"" << label_value(message_types_[i]) << "\"} " << messages_[i].load()
      << '\n';

  family("session_clock_push_latency_seconds", "histogram", "NOTIFY arrival to push queued");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load();
    o << "session_clock_push_latency_seconds_bucket{le=\"" << kBucketLabels[i] << "\"} " << cumulative << '\n';
  }
  cumulative += latency_buckets_.back().load();
  o << "session_clock_push_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n'
    << "session_clock_push_latency_seconds_sum " << micros_as_seconds(latency_sum_us_.load()) << '\n'
    << "session_clock_push_latency_seconds_count " << latency_count_.load() << '\n';
  return o.str();
}

}  // namespace session_clock::worker
