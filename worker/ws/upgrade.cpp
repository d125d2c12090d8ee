#include "ws/upgrade.hpp"

#include <algorithm>

#include "http/query.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace http = boost::beast::http;

std::optional<WsUpgrade::Refusal> WsUpgrade::accept(boost::beast::tcp_stream& stream, Request request) const {
  if (http_target::path_of(request.target()) != "/ws")
    return Refusal{http::status::not_found, "WebSocket endpoint is /ws"};
  auto origin = request[http::field::origin];
  if (!allowed_origins_.empty() && !origin.empty() &&
      std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) == allowed_origins_.end())
    return Refusal{http::status::forbidden, "origin not allowed"};
  std::optional<auth::VerifiedToken> identity;
  if (auto token = http_target::query_parameter(request.target(), "access_token")) {
    auto result = services_.tokens.admit(*token);
    if (!result.token) return Refusal{http::status::unauthorized, result.error};
    identity = std::move(result.token);
  }
  std::make_shared<WsSession>(stream.release_socket(), limits_, registry_, services_)
      ->run(std::move(request), std::move(identity));
  return std::nullopt;
}

}  // namespace session_clock::worker
