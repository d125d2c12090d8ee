#include "livekit/service_url.hpp"

#include <stdexcept>

namespace session_clock::worker::livekit {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument("LiveKit URL: " + why); }

// The scheme decides TLS and the default port; ws and wss name the same server.
void read_scheme(std::string_view scheme, ServiceUrl& out) {
  std::string name = lower(scheme);
  if (name == "http" || name == "ws") {
    out.tls = false;
    out.port = "80";
  } else if (name == "https" || name == "wss") {
    out.tls = true;
    out.port = "443";
  } else {
    refuse("must start with http://, https://, ws:// or wss://");
  }
}

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

void read_port(std::string_view port, ServiceUrl& out) {
  unsigned long number = is_digits(port) && port.size() <= 5 ? std::stoul(std::string(port)) : 0;
  if (number < 1 || number > 65535) refuse("port must be 1-65535");
  out.port = std::to_string(number);  // without leading zeros
}

// Letters, digits and the few marks host names and IPv4 addresses use; no
// percent-encoding (a LiveKit host never needs it).
bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// Hex digits and colons, and dots for an embedded IPv4 (::ffff:1.2.3.4).
bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

void read_bracketed_host(std::string_view authority, ServiceUrl& out) {
  auto close = authority.find(']');
  if (close == std::string_view::npos || close == 1) refuse("IPv6 address needs a closing ]");
  std::string_view address = authority.substr(1, close - 1);
  for (char c : address)
    if (!is_ipv6_char(c)) refuse("IPv6 address has a character it may not");
  out.host = std::string(address);
  std::string_view rest = authority.substr(close + 1);
  if (rest.empty()) return;
  if (rest.front() != ':') refuse("unexpected text after the IPv6 address");
  read_port(rest.substr(1), out);
}

void read_authority(std::string_view authority, ServiceUrl& out) {
  if (authority.empty()) refuse("has no host");
  if (authority.find('@') != std::string_view::npos) refuse("must not hold a user name or password");
  out.host_header = std::string(authority);
  if (authority.front() == '[') return read_bracketed_host(authority, out);
  auto colon = authority.find(':');
  std::string_view host = authority.substr(0, colon);
  if (host.empty()) refuse("has no host");
  for (char c : host)
    if (!is_host_char(c)) refuse("host has a character it may not");
  out.host = std::string(host);
  if (colon != std::string_view::npos) read_port(authority.substr(colon + 1), out);
}

// RFC 3986 path characters, percent-encoding included; repeated and trailing
// slashes are dropped so that joining the Twirp route cannot make "//".
void read_path(std::string_view path, ServiceUrl& out) {
  for (char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' ||
        c == '^' || c == '`' || c == '{' || c == '|' || c == '}')
      refuse("path has a character it may not");
  for (std::size_t at = 0; at < path.size();) {
    auto next = path.find('/', at);
    std::string_view segment = path.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
    if (!segment.empty()) out.path_prefix += "/" + std::string(segment);
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
}

}  // namespace

ServiceUrl parse_service_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) refuse("must start with http://, https://, ws:// or wss://");
  if (url.find_first_of("?#") != std::string_view::npos) refuse("must not hold a query or fragment");
  ServiceUrl out;
  read_scheme(url.substr(0, scheme_end), out);
  std::string_view rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  read_authority(rest.substr(0, slash), out);
  if (slash != std::string_view::npos) read_path(rest.substr(slash), out);
  return out;
}

std::string room_service_target(const ServiceUrl& url, std::string_view method) {
  return url.path_prefix + "/twirp/livekit.RoomService/" + std::string(method);
}

}  // namespace session_clock::worker::livekit
