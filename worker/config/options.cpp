#include "config/options.hpp"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <tuple>
#include <stdexcept>
#include <thread>

#include "build_info.hpp"
#include "http/client_address.hpp"
#include "limits/connection_gate.hpp"
#include "livekit/room_mapping.hpp"

namespace session_clock::worker {
namespace {

// "host:port" into its parts; throws CLI::ValidationError.
void split_listen(const std::string& text, Options& o) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw CLI::ValidationError("--listen", "expected HOST:PORT");
  o.listen_host = text.substr(0, colon);
  if (o.listen_host.size() > 2 && o.listen_host.front() == '[' && o.listen_host.back() == ']')
    o.listen_host = o.listen_host.substr(1, o.listen_host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw CLI::ValidationError("--listen", "port must be 0-65535");
  o.listen_port = static_cast<unsigned short>(port);
}

// A secret file's contents, without the newline an editor or `echo` adds.
std::string read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// "a,b,,c" into its non-empty items.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

}  // namespace

std::string version_text() {
  return std::string("session-clock-worker ") + build_info::kVersion + " (commit " + build_info::kCommit + ")";
}

ParsedOptions parse_options(int argc, char** argv) {
  Options o;
  CLI::App app{"session-clock-worker: WebSocket time sync and live session clocks beside PostgreSQL"};
  app.get_formatter()->column_width(36);
  app.set_version_flag("--version", version_text(), "print the version and the commit, and exit");
  std::string listen = "127.0.0.1:8080";
  std::string origins;
  std::string proxies;
  std::string jwt_secret_file, livekit_secret_file;
  long idle_seconds = o.limits.idle_timeout.count();
  long frame_read_ms = o.limits.frame_read_timeout.count();
  long lease_ms = o.presence.lease.count();
  long deadline_wait_ms = o.presence.max_deadline_wait.count();
  long reconcile_ms = o.livekit.reconcile_interval.count();
  long db_clock_interval_ms = o.database_clock.interval.count();
  long party_cache_ms = o.party_state.cache_ttl.count();

  app.add_option("--database-url", o.database_url, "PostgreSQL connection string")
      ->envname("DATABASE_URL")->required();
  app.add_option("--listen", listen, "HOST:PORT for HTTP and WebSocket")
      ->envname("SESSION_CLOCK_LISTEN")->capture_default_str();
  app.add_option("--jwt-secret", o.jwt_secret, "HS256/384/512 secret (Supabase's JWT secret)")
      ->envname("SESSION_CLOCK_JWT_SECRET");
  app.add_option("--jwt-secret-file", jwt_secret_file, "a file holding the HS secret (keeps it out of ps and env)")
      ->envname("SESSION_CLOCK_JWT_SECRET_FILE")->check(CLI::ExistingFile);
  app.add_option("--jwt-public-key", o.jwt_public_key_file, "PEM file with an RS*/ES* public key")
      ->envname("SESSION_CLOCK_JWT_PUBLIC_KEY")->check(CLI::ExistingFile);
  app.add_option("--jwks-url", o.jwks_url, "JWKS to verify RS*/ES* tokens by kid (https; http on loopback only)")
      ->envname("SESSION_CLOCK_JWKS_URL");
  app.add_option("--jwks-file", o.jwks_file, "the same from a file, read again when a token names an unknown kid")
      ->envname("SESSION_CLOCK_JWKS_FILE")->check(CLI::ExistingFile);
  app.add_option("--jwt-aud", o.jwt_audience, "tokens must carry this audience (Supabase: authenticated)")
      ->envname("SESSION_CLOCK_JWT_AUD");
  app.add_option("--jwt-iss", o.jwt_issuer, "tokens must have this issuer (Supabase: https://<ref>.supabase.co/auth/v1)")
      ->envname("SESSION_CLOCK_JWT_ISS");
  app.add_option("--allowed-origins", origins, "comma-separated Origin allow-list (empty: any)")
      ->envname("SESSION_CLOCK_ALLOWED_ORIGINS");
  app.add_option("--trusted-proxies", proxies,
                 "comma-separated proxy networks (CIDR) whose Forwarded / X-Forwarded-For names the client")
      ->envname("SESSION_CLOCK_TRUSTED_PROXIES");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->envname("SESSION_CLOCK_LOG_LEVEL")->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", o.log_format, "logfmt or json: one line per event on stdout")
      ->envname("SESSION_CLOCK_LOG_FORMAT")->capture_default_str()->check(CLI::IsMember({"logfmt", "json"}));
  app.add_option("--client-role", o.client_role, "database role that access checks run as, with the token's claims")
      ->envname("SESSION_CLOCK_CLIENT_ROLE")->capture_default_str();
  app.add_option("--threads", o.threads, "WebSocket threads (0: one per core)")
      ->envname("SESSION_CLOCK_THREADS")->capture_default_str();

  auto& l = o.limits;
  app.add_option("--max-message-bytes", l.max_message_bytes, "largest accepted frame; larger closes with 1009")
      ->envname("SESSION_CLOCK_MAX_MESSAGE_BYTES")->capture_default_str()->check(CLI::Range(64, 1 << 20));
  app.add_option("--max-json-depth", l.max_json_depth, "deepest accepted JSON nesting")
      ->envname("SESSION_CLOCK_MAX_JSON_DEPTH")->capture_default_str()->check(CLI::Range(2, 128));
  app.add_option("--rate", l.rate_per_second, "sustained messages per second per connection")
      ->envname("SESSION_CLOCK_RATE")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--rate-burst", l.rate_burst, "messages a connection may send at once")
      ->envname("SESSION_CLOCK_RATE_BURST")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--flood-strikes", l.flood_strikes, "rate_limited replies before the socket is closed (1008)")
      ->envname("SESSION_CLOCK_FLOOD_STRIKES")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--max-send-queue", l.max_send_queue, "frames queued for a slow reader before it is closed")
      ->envname("SESSION_CLOCK_MAX_SEND_QUEUE")->capture_default_str()->check(CLI::Range(4, 1 << 20));
  app.add_option("--idle-timeout", idle_seconds, "seconds without a complete frame before closing (pinged halfway)")
      ->envname("SESSION_CLOCK_IDLE_TIMEOUT")->capture_default_str()->check(CLI::Range(2, 3600));
  app.add_option("--frame-read-timeout-ms", frame_read_ms, "a message begun must arrive whole within this, or 1008")
      ->envname("SESSION_CLOCK_FRAME_READ_TIMEOUT_MS")->capture_default_str()->check(CLI::Range(100, 600000));
  app.add_option("--max-connections", l.max_connections,
                 "sockets held at once, HTTP and WebSocket (0: RLIMIT_NOFILE less 100); beyond: 503")
      ->envname("SESSION_CLOCK_MAX_CONNECTIONS")->capture_default_str();
  app.add_option("--max-connections-per-ip", l.max_connections_per_ip,
                 "of them from one client address, an IPv6 one by its /64 (0: half of --max-connections)")
      ->envname("SESSION_CLOCK_MAX_CONNECTIONS_PER_IP")->capture_default_str();

  auto& g = o.guests;
  app.add_option("--max-guests-per-address", g.max_guests_per_address, "room guests one client address may have at once")
      ->envname("SESSION_CLOCK_MAX_GUESTS_PER_ADDRESS")->capture_default_str()->check(CLI::Range(0, 100000));
  app.add_option("--max-guests-per-room", g.max_guests_per_room, "guests one room may hold")
      ->envname("SESSION_CLOCK_MAX_GUESTS_PER_ROOM")->capture_default_str()->check(CLI::Range(0, 1000000));
  app.add_option("--guest-join-failures-per-minute", g.join_failures_per_minute,
                 "failed guest joins (unknown code) per address and minute, after a burst of as many as --guest-join-failure-burst")
      ->envname("SESSION_CLOCK_GUEST_JOIN_FAILURES_PER_MINUTE")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--guest-join-failure-burst", g.join_failure_burst, "failed guest joins an address may make at once")
      ->envname("SESSION_CLOCK_GUEST_JOIN_FAILURE_BURST")->capture_default_str()->check(CLI::Range(1.0, 1000.0));

  auto& ps = o.party_state;
  app.add_option("--party-state-rate", ps.rate_per_second, "GET /api/party-state lookups per second per client address")
      ->envname("SESSION_CLOCK_PARTY_STATE_RATE")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--party-state-burst", ps.burst, "party-state lookups a client address may make at once")
      ->envname("SESSION_CLOCK_PARTY_STATE_BURST")->capture_default_str()->check(CLI::Range(1.0, 100000.0));
  app.add_option("--party-state-cache-ms", party_cache_ms, "how long a room's row answers party-state lookups (0: no cache)")
      ->envname("SESSION_CLOCK_PARTY_STATE_CACHE_MS")->capture_default_str()->check(CLI::Range(0, 5000));

  app.add_option("--worker-lease-ms", lease_ms, "the worker's presence lease; renewed every third of it")
      ->envname("SESSION_CLOCK_WORKER_LEASE_MS")->capture_default_str()->check(CLI::Range(1000, 600000));
  app.add_option("--max-deadline-wait-ms", deadline_wait_ms, "longest sleep between grace-deadline sweeps")
      ->envname("SESSION_CLOCK_MAX_DEADLINE_WAIT_MS")->capture_default_str()->check(CLI::Range(10, 60000));
  auto& lk = o.livekit;
  app.add_option("--livekit-api-key", lk.api_key, "API key LiveKit signs webhooks with (needs the secret)")
      ->envname("LIVEKIT_API_KEY");
  app.add_option("--livekit-api-secret", lk.api_secret, "LiveKit API secret (prefer the file or the variable: flags show in ps)")
      ->envname("LIVEKIT_API_SECRET");
  app.add_option("--livekit-api-secret-file", livekit_secret_file, "a file holding the LiveKit API secret")
      ->envname("LIVEKIT_API_SECRET_FILE")->check(CLI::ExistingFile);
  app.add_option("--livekit-room-pattern", lk.room_pattern, "LiveKit room name, {session} standing for the session id")
      ->envname("SESSION_CLOCK_LIVEKIT_ROOM_PATTERN")->capture_default_str();
  app.add_option("--livekit-url", lk.url, "LiveKit server (https://, wss://...): reconcile presence with RoomService")
      ->envname("LIVEKIT_URL");
  app.add_option("--livekit-reconcile-interval-ms", reconcile_ms, "how often rooms holding LiveKit presence are reconciled")
      ->envname("SESSION_CLOCK_LIVEKIT_RECONCILE_INTERVAL_MS")->capture_default_str()->check(CLI::Range(200, 3600000));

  app.add_option("--database-clock-interval-ms", db_clock_interval_ms,
                 "how often the offset to the database's clock is measured")
      ->envname("SESSION_CLOCK_DATABASE_CLOCK_INTERVAL_MS")->capture_default_str()->check(CLI::Range(100, 60000));
  app.add_option("--database-clock-drift-ppm", o.database_clock.drift_ppm,
                 "bound on how fast this host's clock and the database's drift apart (ppm)")
      ->envname("SESSION_CLOCK_DATABASE_CLOCK_DRIFT_PPM")->capture_default_str()->check(CLI::Range(0.0, 100000.0));
  app.add_option("--database-clock-max-error-ms", o.database_clock.max_error_ms,
                 "/healthz is degraded while the served time's error bound exceeds this")
      ->envname("SESSION_CLOCK_DATABASE_CLOCK_MAX_ERROR_MS")->capture_default_str()->check(CLI::Range(0.01, 60000.0));

  try {
    app.parse(argc, argv);
    split_listen(listen, o);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};
  }
  for (auto [file, secret, flag] : {std::tuple{&jwt_secret_file, &o.jwt_secret, "--jwt-secret"},
                                    std::tuple{&livekit_secret_file, &lk.api_secret, "--livekit-api-secret"}}) {
    if (file->empty()) continue;
    if (!secret->empty()) {
      std::cerr << flag << " and " << flag << "-file are exclusive: give one\n";
      return {std::nullopt, 2};
    }
    *secret = read_secret(*file);
    if (secret->empty()) {
      std::cerr << flag << "-file: " << *file << " is empty or unreadable\n";
      return {std::nullopt, 2};
    }
  }
  if (!o.jwt_secret.empty() && !o.jwt_public_key_file.empty()) {
    std::cerr << "--jwt-secret and --jwt-public-key are exclusive: give one\n";
    return {std::nullopt, 2};
  }
  if (int keys = !o.jwt_public_key_file.empty() + !o.jwks_url.empty() + !o.jwks_file.empty(); keys > 1) {
    std::cerr << "--jwt-public-key, --jwks-url and --jwks-file are exclusive: give one (--jwt-secret may go with a JWKS)\n";
    return {std::nullopt, 2};
  }
  if (lk.api_key.empty() != lk.api_secret.empty()) {
    std::cerr << "--livekit-api-key and --livekit-api-secret go together: give both or neither\n";
    return {std::nullopt, 2};
  }
  if (!lk.url.empty() && lk.api_key.empty()) {
    std::cerr << "--livekit-url needs --livekit-api-key and --livekit-api-secret (RoomService calls are signed)\n";
    return {std::nullopt, 2};
  }
  try {
    livekit::RoomMapping{lk.room_pattern};  // checks the pattern, as the endpoint will build it
  } catch (const std::invalid_argument& e) {
    std::cerr << "--livekit-room-pattern: " << e.what() << "\n";
    return {std::nullopt, 2};
  }
  l.idle_timeout = std::chrono::seconds(idle_seconds);
  l.frame_read_timeout = std::chrono::milliseconds(frame_read_ms);
  rlimit open_files{};
  getrlimit(RLIMIT_NOFILE, &open_files);
  std::string caps_error;
  auto caps = limits::connection_caps(l.max_connections, l.max_connections_per_ip, open_files.rlim_cur, caps_error);
  if (!caps) {
    std::cerr << caps_error << "\n";
    return {std::nullopt, 2};
  }
  l.max_connections = caps->total;
  l.max_connections_per_ip = caps->per_address;
  o.presence.lease = std::chrono::milliseconds(lease_ms);
  o.presence.max_deadline_wait = std::chrono::milliseconds(deadline_wait_ms);
  lk.reconcile_interval = std::chrono::milliseconds(reconcile_ms);
  o.database_clock.interval = std::chrono::milliseconds(db_clock_interval_ms);
  ps.cache_ttl = std::chrono::milliseconds(party_cache_ms);
  o.allowed_origins = split_list(origins);
  o.trusted_proxies = split_list(proxies);
  try {
    http_client::TrustedProxies{o.trusted_proxies};  // checks them, as the upgrade will build them
  } catch (const std::invalid_argument& e) {
    std::cerr << "--trusted-proxies: " << e.what() << "\n";
    return {std::nullopt, 2};
  }
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  return {o, 0};
}

}  // namespace session_clock::worker
