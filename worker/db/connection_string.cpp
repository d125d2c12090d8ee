#include "db/connection_string.hpp"

#include <utility>

namespace session_clock::worker::db {
namespace {

constexpr std::pair<const char*, const char*> kDefaults[] = {
    {"connect_timeout", "5"},     {"keepalives", "1"},           {"keepalives_idle", "30"},
    {"keepalives_interval", "10"}, {"keepalives_count", "3"},    {"tcp_user_timeout", "30000"},
};

bool is_url(const std::string& s) { return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0; }

bool mentions(const std::string& conninfo, const std::string& key) {
  for (std::size_t at = conninfo.find(key); at != std::string::npos; at = conninfo.find(key, at + 1)) {
    bool starts = at == 0 || conninfo[at - 1] == ' ' || conninfo[at - 1] == '?' || conninfo[at - 1] == '&';
    std::size_t after = at + key.size();
    while (after < conninfo.size() && conninfo[after] == ' ') ++after;
    if (starts && after < conninfo.size() && conninfo[after] == '=') return true;
  }
  return false;
}

}  // namespace

std::string with_connection_defaults(const std::string& conninfo) {
  std::string out = conninfo;
  bool url = is_url(conninfo);
  for (const auto& [key, value] : kDefaults) {
    if (mentions(conninfo, key)) continue;
    if (url)
      out += (out.find('?') == std::string::npos ? "?" : "&");
    else if (!out.empty())
      out += ' ';
    out += std::string(key) + "=" + value;
  }
  return out;
}

}  // namespace session_clock::worker::db
