#include "http/party_state.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/sql_error.hpp"
#include "http/query.hpp"
#include "protocol/room_frames.hpp"

namespace session_clock::worker {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

// Codes are 4 to 12 letters or digits, any case on the wire.
std::optional<std::string> room_code(std::string_view target) {
  auto code = http_target::query_parameter(target, "code").value_or("");
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool valid = code.size() >= 4 && code.size() <= 12 && std::all_of(code.begin(), code.end(), [](char c) {
                 return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
               });
  if (!valid) return std::nullopt;
  return code;
}

// Retry-After is whole seconds: rounded up, at least one.
std::chrono::seconds whole_seconds(Clock::duration wait) {
  return std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(std::chrono::duration<double>(wait).count()))));
}

PartyStateReply too_many(Clock::duration wait) {
  return {http::status::too_many_requests, R"({"error":"too many party-state lookups from this address; retry later"})",
          whole_seconds(wait)};
}

}  // namespace

PartyState::PartyState(db::RoomQueries& rooms, const ServerClock& clock, Metrics& metrics,
                       limits::GuestGate& failures, const Options& options)
    : rooms_(rooms),
      clock_(clock),
      metrics_(metrics),
      failures_(failures),
      trusted_proxies_(options.trusted_proxies),
      requests_({options.party_state.rate_per_second, options.party_state.burst}),
      cache_(options.party_state.cache_ttl, kMaxCachedRooms) {}

void PartyState::lookup(const PartyStateRequest& request, std::function<void(PartyStateReply)> done) {
  auto client = http_client::limit_key(
      http_client::client_address(request.peer, request.forwarded, request.x_forwarded_for, trusted_proxies_));
  auto now = Clock::now();
  auto verdict = requests_.admit(client, now);
  if (!verdict.allowed) {
    metrics_.party_state_limited++;
    return done(too_many(verdict.retry_after));
  }
  // Refused before the code is looked at: an answer would tell which codes exist.
  if (auto wait = failures_.failure_wait(client, now); wait > Clock::duration::zero()) {
    metrics_.party_state_limited++;
    return done(too_many(wait));
  }
  auto code = room_code(request.target);
  if (!code) return done({http::status::bad_request, R"({"error":"code: 4 to 12 letters or digits"})"});
  auto fetch = [this, code = *code](std::function<void(db::RoomRead)> got) {
    metrics_.party_state_queries++;
    rooms_.call({"session_clock_room_state", {code}}, std::move(got));
  };
  cache_.get(*code, now, fetch, [this, client, done = std::move(done)](const db::RoomRead& read) {
    answer(read, client, done);
  });
}

void PartyState::answer(const db::RoomRead& read, const std::string& client,
                        const std::function<void(PartyStateReply)>& done) {
  if (!read.room) {
    if (read.sqlstate != core::sqlstate::kNoDataFound)
      return done({http::status::service_unavailable, R"({"error":"the database is unavailable; retry"})"});
    failures_.failed(client, Clock::now());
    return done({http::status::not_found, R"({"error":"no such room"})"});
  }
  auto room = protocol::room_view(*read.room);
  auto state = nlohmann::json::parse(protocol::room_state(room, clock_.now_ms()));
  nlohmann::json body = {{"code", room.code}, {"currentTrack", state["currentTrack"]}, {"version", room.version},
                         {"serverNowMs", state["serverNowMs"]}};
  done({http::status::ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
}

}  // namespace session_clock::worker
