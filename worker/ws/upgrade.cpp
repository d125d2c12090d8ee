#include "ws/upgrade.hpp"

#include <algorithm>

#include "http/query.hpp"
#include "protocol/time_update.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace http = boost::beast::http;

namespace {

// Seed 002's feed: Django's route is "ws/time/"; without the slash too.
bool is_time_feed(std::string_view path) { return path == "/ws/time/" || path == "/ws/time"; }

}  // namespace

std::optional<WsUpgrade::Refusal> WsUpgrade::accept(boost::beast::tcp_stream& stream, Request request,
                                                    limits::ConnectionGate::Ticket& place) const {
  auto target = request.target();
  auto path = http_target::path_of(target);
  if (path != "/ws" && !is_time_feed(path))
    return Refusal{http::status::not_found, "WebSocket endpoints are /ws and /ws/time/"};
  auto origin = request[http::field::origin];
  if (!allowed_origins_.empty() && !origin.empty() &&
      std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) == allowed_origins_.end())
    return Refusal{http::status::forbidden, "origin not allowed"};
  Opening opening;
  boost::system::error_code ec;
  auto peer = stream.socket().remote_endpoint(ec);
  if (ec) return Refusal{http::status::bad_request, "the connection is gone"};
  opening.client_address = http_client::client_address(peer.address(), request[http::field::forwarded],
                                                       request["X-Forwarded-For"], trusted_proxies_);
  std::vector<limits::ConnectionGate::Ticket> places;
  if (trusted_proxies_.contains(peer.address())) {  // the proxy's socket counted in the total only
    places.push_back(gate_.admit_client(http_client::limit_key(opening.client_address)));
    if (!places.back()) {
      services_.metrics.connections_refused++;
      return Refusal{http::status::service_unavailable, "too many connections from this address: retry later"};
    }
  }
  if (is_time_feed(path)) {
    auto zone = http_target::query_parameter(target, "tz").value_or("UTC");
    if (!protocol::is_known_timezone(zone)) return Refusal{http::status::bad_request, "unknown time zone: " + zone};
    opening.time_feed_zone = std::move(zone);
  }
  if (auto token = http_target::query_parameter(target, "access_token")) {
    auto result = services_.tokens.admit(*token);
    if (!result.token) return Refusal{http::status::unauthorized, result.error};
    opening.identity = std::move(result.token);
  }
  places.push_back(std::move(place));
  std::make_shared<WsSession>(stream.release_socket(), limits_, registry_, services_, std::move(places))
      ->run(std::move(request), std::move(opening));
  return std::nullopt;
}

}  // namespace session_clock::worker
