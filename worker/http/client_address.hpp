// Who a request comes from, for per-address limits. Behind a reverse proxy
// (nginx, a load balancer) every peer is the proxy, so one address's limit
// would throttle everyone: from a peer in --trusted-proxies, and only from
// one, the address is taken from Forwarded (RFC 7239) or X-Forwarded-For.
// Each proxy appends the address it received from, so the list is read from
// the right, past every trusted proxy; what a client wrote itself (the left)
// is never believed. From anyone else the headers are ignored.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace session_clock::worker::http_client {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8", "::1", "fd00::/8": a bare address is a one-address network.
  // Throws std::invalid_argument naming the bad entry.
  explicit TrustedProxies(const std::vector<std::string>& cidrs);
  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address as text (IPv4-mapped IPv6 shown as IPv4). A hop that
// is not an address ("unknown", an obfuscated "_node") is returned as it is:
// a key for limits, shared by whoever a proxy cannot name.
std::string client_address(const boost::asio::ip::address& peer, std::string_view forwarded,
                           std::string_view x_forwarded_for, const TrustedProxies& trusted);

// What a per-address limit counts by: the address, but an IPv6 address's
// /64 (one subscriber's usual allocation, whose 2^64 addresses cost an
// attacker nothing). Anything else is returned as it is.
std::string limit_key(const std::string& address);

}  // namespace session_clock::worker::http_client
