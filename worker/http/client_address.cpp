#include "http/client_address.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace session_clock::worker::http_client {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    auto at = s.find(separator);
    parts.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

// A Forwarded or X-Forwarded-For node: "1.2.3.4", "1.2.3.4:5678",
// "[2001:db8::1]:4711", "2001:db8::1", quoted or not.
std::string_view strip_node(std::string_view node) {
  if (node.size() >= 2 && node.front() == '"' && node.back() == '"') node = node.substr(1, node.size() - 2);
  if (!node.empty() && node.front() == '[') {
    auto close = node.find(']');
    return close == std::string_view::npos ? node : node.substr(1, close - 1);
  }
  if (std::count(node.begin(), node.end(), ':') == 1) return node.substr(0, node.find(':'));  // IPv4 with a port
  return node;
}

// Forwarded: for= of each element, in order.
std::vector<std::string_view> forwarded_nodes(std::string_view header) {
  std::vector<std::string_view> nodes;
  for (auto element : split(header, ','))
    for (auto pair : split(element, ';')) {
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      auto name = trim(pair.substr(0, eq));
      if (name.size() == 3 && std::equal(name.begin(), name.end(), "for", [](char a, char b) {
            return (a | 0x20) == b;
          }))
        nodes.push_back(strip_node(trim(pair.substr(eq + 1))));
    }
  return nodes;
}

std::vector<std::string_view> x_forwarded_nodes(std::string_view header) {
  std::vector<std::string_view> nodes;
  for (auto node : split(header, ','))
    if (!node.empty()) nodes.push_back(strip_node(node));
  return nodes;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& cidrs) {
  for (const auto& entry : cidrs) {
    auto slash = entry.find('/');
    auto address = parse_address(std::string_view(entry).substr(0, slash));
    if (!address) throw std::invalid_argument("not an address or network: " + entry);
    int bits = address->is_v4() ? 32 : 128;
    if (slash != std::string::npos) {
      try {
        std::size_t used = 0;
        bits = std::stoi(entry.substr(slash + 1), &used);
        if (used != entry.size() - slash - 1) throw std::invalid_argument(entry);
      } catch (const std::exception&) {
        throw std::invalid_argument("not a prefix length: " + entry);
      }
      if (bits < 0 || bits > (address->is_v4() ? 32 : 128)) throw std::invalid_argument("prefix too long: " + entry);
    }
    if (address->is_v4())
      v4_.push_back(ip::make_network_v4(address->to_v4(), static_cast<unsigned short>(bits)).canonical());
    else
      v6_.push_back(ip::make_network_v6(address->to_v6(), static_cast<unsigned short>(bits)).canonical());
  }
}

bool TrustedProxies::contains(const ip::address& raw) const {
  ip::address a = unmapped(raw);
  if (a.is_v4()) {
    auto host = ip::make_network_v4(a.to_v4(), 32);
    return std::any_of(v4_.begin(), v4_.end(), [&](const auto& n) { return host == n || host.is_subnet_of(n); });
  }
  auto host = ip::make_network_v6(a.to_v6(), 128);
  return std::any_of(v6_.begin(), v6_.end(), [&](const auto& n) { return host == n || host.is_subnet_of(n); });
}

std::string client_address(const ip::address& peer, std::string_view forwarded, std::string_view x_forwarded_for,
                           const TrustedProxies& trusted) {
  ip::address current = unmapped(peer);
  if (!trusted.contains(current)) return current.to_string();
  auto nodes = !forwarded.empty() ? forwarded_nodes(forwarded) : x_forwarded_nodes(x_forwarded_for);
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    auto next = parse_address(*it);
    if (!next) return std::string(*it);
    current = *next;
    if (!trusted.contains(current)) break;
  }
  return current.to_string();
}

std::string limit_key(const std::string& address) {
  auto a = parse_address(address);
  if (!a || a->is_v4()) return address;
  return ip::make_network_v6(a->to_v6(), 64).canonical().to_string();
}

}  // namespace session_clock::worker::http_client
