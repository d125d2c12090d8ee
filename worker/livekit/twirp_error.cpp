#include "livekit/twirp_error.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "protocol/json_depth.hpp"

namespace session_clock::worker::livekit {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxErrorBodyBytes = 16 * 1024;
constexpr std::size_t kMaxErrorDepth = 8;  // {"code","msg","meta":{...}}
constexpr std::size_t kMaxCodeBytes = 32;  // the longest, "failed_precondition", has 19

bool is_code_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

bool is_code(const std::string& text) {
  if (text.empty() || text.size() > kMaxCodeBytes) return false;
  for (char c : text)
    if (!is_code_char(c)) return false;
  return true;
}

// The message goes into logs: cut to the limit on a UTF-8 character
// boundary, control characters made spaces.
std::string printable(const std::string& text) {
  std::size_t cut = std::min(text.size(), kMaxTwirpMessageBytes);
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out = text.substr(0, cut);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_json_media_type(std::string_view content_type) {
  std::string type;
  for (char c : content_type.substr(0, content_type.find(';')))
    if (c != ' ') type += ascii_lower(c);
  return type == "application/json";
}

// The JSON a Twirp server writes, or nothing when the body is something else.
std::optional<TwirpError> twirp_body(std::string_view body) {
  if (body.size() > kMaxErrorBodyBytes || protocol::nests_deeper_than(body, kMaxErrorDepth)) return std::nullopt;
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto code = json.find("code");
  if (code == json.end() || !code->is_string() || !is_code(code->get_ref<const std::string&>())) return std::nullopt;
  auto msg = json.find("msg");
  std::string text = msg != json.end() && msg->is_string() ? msg->get<std::string>() : std::string();
  return TwirpError{code->get<std::string>(), printable(text)};
}

}  // namespace

std::string twirp_code_for_status(unsigned status) {
  if (status >= 300 && status < 400) return "internal";
  switch (status) {
    case 400:
      return "internal";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "bad_route";
    case 429:
    case 502:
    case 503:
    case 504:
      return "unavailable";
    default:
      return "unknown";
  }
}

TwirpError read_twirp_error(unsigned status, std::string_view content_type, std::string_view body) {
  if (is_json_media_type(content_type))
    if (auto error = twirp_body(body)) return *error;
  return {twirp_code_for_status(status), "http " + std::to_string(status)};
}

}  // namespace session_clock::worker::livekit
