// The worker's configuration: every flag has an environment equivalent, and
// `--help` lists them all with their defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace session_clock::worker {

struct Limits {
  std::size_t max_message_bytes = 16 * 1024;  // larger frames close with 1009
  std::size_t max_json_depth = 16;
  double rate_per_second = 20;     // sustained messages per connection
  double rate_burst = 64;          // a sync burst at connect must pass
  int flood_strikes = 20;          // rate_limited replies before closing 1008
  std::size_t max_send_queue = 256;  // queued frames before a slow reader is closed
  std::size_t max_http_body_bytes = 8 * 1024;
  std::chrono::seconds idle_timeout{60};  // no complete frame this long (pinged halfway): closed
  std::chrono::milliseconds frame_read_timeout{10000};  // a message begun must be complete within it
  std::size_t max_connections = 0;         // sockets at once (0 asked: RLIMIT_NOFILE less a reserve)
  std::size_t max_connections_per_ip = 0;  // of them per client address (0 asked: half the total)
  std::size_t max_subscriptions = 64;     // clocks per connection
};

// Seed 004's tokenless guests in rooms (limits/guest_gate.hpp).
struct GuestLimits {
  std::size_t max_guests_per_address = 10;
  std::size_t max_guests_per_room = 500;
  double join_failure_burst = 10;       // failed guest joins an address may make at once
  double join_failures_per_minute = 6;  // and then per minute
};

// GET /api/party-state (http/party_state.hpp): anyone may ask, so requests
// are limited per client address and each room's row is kept a short while.
struct PartyStateLimits {
  double rate_per_second = 10;  // sustained lookups per client address
  double burst = 30;            // a party behind one NAT resuming at once must pass
  std::chrono::milliseconds cache_ttl{250};
};

// Presence and grace: the worker's lease and how it watches deadlines.
struct Presence {
  std::chrono::milliseconds lease{15000};           // presence it reported ends this long after it dies
  std::chrono::milliseconds max_deadline_wait{5000};  // longest sleep between deadline sweeps
};

// LiveKit webhooks (POST /webhooks/livekit): off unless a key and secret are set.
struct LiveKit {
  std::string api_key;                     // the key LiveKit signs webhooks with (the token's iss)
  std::string api_secret;
  std::string room_pattern = "{session}";  // room names: one {session} placeholder for the session's UUID
  std::string url;                         // RoomService for reconciliation (LIVEKIT_URL); empty: webhooks only
  std::chrono::milliseconds reconcile_interval{30000};
};

// The database's clock, which the worker serves (time/server_clock.hpp).
struct DatabaseClock {
  std::chrono::milliseconds interval{1000};  // between measurements (a burst at start and reconnect)
  double drift_ppm = 500;                    // how fast the two hosts' clocks may drift apart at most
  double max_error_ms = 5;                   // a larger error bound turns /healthz degraded
};

struct Options {
  std::string database_url;
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;
  std::string jwt_secret;
  std::string jwt_public_key_file;
  std::string jwks_url;   // RS*/ES* keys by kid (Supabase: .../auth/v1/.well-known/jwks.json)
  std::string jwks_file;  // the same from a file
  std::string jwt_audience;  // tokens must carry it in aud (empty: not checked)
  std::string jwt_issuer;    // tokens' iss must be it (empty: not checked)
  std::vector<std::string> allowed_origins;  // empty: any origin
  std::vector<std::string> trusted_proxies;  // CIDRs whose Forwarded / X-Forwarded-For is believed
  std::string log_level = "info";
  std::string log_format = "logfmt";          // or "json"
  std::string client_role = "authenticated";  // the role access checks run as
  unsigned threads = 0;                       // 0: one per core
  Limits limits;
  GuestLimits guests;
  PartyStateLimits party_state;
  Presence presence;
  LiveKit livekit;
  DatabaseClock database_clock;
};

// What --version prints: the project's version and the commit built.
std::string version_text();

// Parses flags (with environment fallbacks). On --help, --version or an
// error it prints and returns the exit status instead.
struct ParsedOptions {
  std::optional<Options> options;
  int exit_status = 0;
};
ParsedOptions parse_options(int argc, char** argv);

}  // namespace session_clock::worker
