// One HTTP/1.1 POST of a JSON body (or a GET: the JWKS, auth/jwks_source.hpp)
// over a connection of its own, plain or TLS,
// the whole exchange (resolve, connect, handshake, write, read) bounded by one
// deadline. Blocking: it runs a private io_context on the caller's thread.
// TLS verifies the peer against the context's trust store and checks the host
// name; SNI carries the host unless it is an IP address.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "livekit/service_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace session_clock::worker::livekit {

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

struct HttpOutcome {
  std::optional<HttpReply> reply;
  std::string error;  // short lower-case reason when reply is empty
};

struct HttpPost {
  std::string target;         // path of the request line
  std::string authorization;  // the Authorization header's value ("": none)
  std::string body;           // JSON
  std::size_t max_reply_bytes = 0;
  std::string method = "POST";  // or "GET", with no body
};

// tls must be non-null when url.tls is set. Never throws.
HttpOutcome post_json(const ServiceUrl& url, boost::asio::ssl::context* tls, const HttpPost& post,
                      std::chrono::steady_clock::time_point deadline) noexcept;

}  // namespace session_clock::worker::livekit
