// The upgrade to WebSocket at /ws, or at /ws/time/ (seed 002's public time
// feed, ?tz=Area/City, default UTC): the Origin allow-list, the zone and an
// access_token in the query (admitted like AUTH's) are checked before the
// handshake, and so is the client's share of connections when it comes
// through a trusted proxy (limits/connection_gate.hpp); then the socket, and
// its place, belong to a new WsSession with its features.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/options.hpp"
#include "http/client_address.hpp"
#include "limits/connection_gate.hpp"
#include "ws/features.hpp"
#include "ws/session_registry.hpp"

namespace session_clock::worker {

class WsUpgrade {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  struct Refusal {
    boost::beast::http::status status;
    std::string message;
  };

  WsUpgrade(const Options& options, SessionRegistry& registry, FeatureServices services,
            limits::ConnectionGate& gate)
      : allowed_origins_(options.allowed_origins), trusted_proxies_(options.trusted_proxies),
        limits_(options.limits), registry_(registry), services_(std::move(services)), gate_(gate) {}

  // nullopt: the stream's socket, and the socket's place, now belong to the
  // WebSocket session.
  std::optional<Refusal> accept(boost::beast::tcp_stream& stream, Request request,
                                limits::ConnectionGate::Ticket& place) const;

 private:
  std::vector<std::string> allowed_origins_;  // empty: any origin
  http_client::TrustedProxies trusted_proxies_;
  const Limits& limits_;
  SessionRegistry& registry_;
  FeatureServices services_;
  limits::ConnectionGate& gate_;
};

}  // namespace session_clock::worker
