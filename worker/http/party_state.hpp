// GET /api/party-state?code=K7Q2PX: the seed app's late-join call, the
// room's track and schedule by code (the code is what a guest has; members
// are not listed here). Anyone may ask, so each client address (http/
// client_address.hpp, by limit_key) has a token bucket of lookups, and its
// unknown codes spend the same failure budget as its guest joins
// (limits/guest_gate.hpp): codes cannot be guessed faster through this door
// than through JOIN_ROOM. Past either, 429 with Retry-After. A room's row is
// kept a short while and read once at a time (http/room_row_cache.hpp).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "config/options.hpp"
#include "db/room_queries.hpp"
#include "http/client_address.hpp"
#include "http/room_row_cache.hpp"
#include "limits/address_rate_limit.hpp"
#include "limits/guest_gate.hpp"
#include "metrics/metrics.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

struct PartyStateRequest {
  std::string_view target;
  boost::asio::ip::address peer;
  std::string_view forwarded;        // the Forwarded header
  std::string_view x_forwarded_for;  // the X-Forwarded-For header
};

struct PartyStateReply {
  boost::beast::http::status status;
  std::string body;                 // JSON
  std::chrono::seconds retry_after{0};  // > 0 with 429
};

class PartyState {
 public:
  static constexpr std::size_t kMaxCachedRooms = 10000;

  PartyState(db::RoomQueries& rooms, const ServerClock& clock, Metrics& metrics, limits::GuestGate& failures,
             const Options& options);

  // done(reply) exactly once, possibly on a database thread.
  void lookup(const PartyStateRequest& request, std::function<void(PartyStateReply)> done);

  // A room changed (its NOTIFY), or any may have (the LISTEN connection is back).
  void room_changed(const std::string& code, std::int64_t version) { cache_.forget(code, version); }
  void rooms_may_have_changed() { cache_.forget_all(); }

 private:
  void answer(const db::RoomRead& read, const std::string& client, const std::function<void(PartyStateReply)>& done);

  db::RoomQueries& rooms_;
  const ServerClock& clock_;
  Metrics& metrics_;
  limits::GuestGate& failures_;
  http_client::TrustedProxies trusted_proxies_;
  limits::AddressRateLimit requests_;
  RoomRowCache cache_;
};

}  // namespace session_clock::worker
