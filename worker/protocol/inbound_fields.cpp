#include "protocol/inbound_fields.hpp"

#include <cmath>
#include <cstdint>

#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol::fields {
namespace {

constexpr std::size_t kMaxEchoChars = 64;     // ids, type names, echoed refs
constexpr std::size_t kMaxTimezoneChars = 64;
constexpr double kMaxTimeMs = 1e13;           // year 2286: anything later is garbage
constexpr std::uint64_t kMaxIntegerId = std::uint64_t{1} << 53;  // exact in a JS number
constexpr double kMaxPositionSec = 86400;

bool is_short_string(const json& v) {
  return v.is_string() && v.get_ref<const std::string&>().size() <= kMaxEchoChars;
}

bool is_echoable(const json& v) {
  return v.is_null() || v.is_boolean() || v.is_number() || is_short_string(v);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// See ProtocolError (inbound.hpp) for the shape.
json error_ref(const FlatObject& message) {
  json ref = json::object();
  for (const char* key : {"t", "event", "method"}) {
    const json* v = message.find(key);
    if (!v) continue;
    if (is_short_string(*v)) ref[key] = *v;
    break;
  }
  for (const char* key : {"ref", "pingId", "sessionId", "sequence", "id"}) {
    const json* v = message.find(key);
    if (v && is_echoable(*v)) ref[key] = *v;
  }
  return ref;
}

ProtocolError fail(const char* code, std::string text, const FlatObject& message) {
  return {code, std::move(text), error_ref(message)};
}

ProtocolError bad_field(std::string text, const FlatObject& message) {
  return fail(error_code::kBadField, std::move(text), message);
}

bool is_time_ms(const json& v) {
  if (!v.is_number()) return false;
  double ms = v.get<double>();
  return std::isfinite(ms) && ms >= 0 && ms <= kMaxTimeMs;
}

// pingId / sequence: an integer a JavaScript client can hold exactly, or a short string.
bool is_correlation_id(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= kMaxIntegerId;
  if (v.is_number_integer()) {  // signed storage
    auto n = v.get<std::int64_t>();
    return n >= 0 && static_cast<std::uint64_t>(n) <= kMaxIntegerId;
  }
  return is_short_string(v);
}

bool is_timezone_name(const json& v) {
  if (!v.is_string()) return false;
  const auto& name = v.get_ref<const std::string&>();
  if (name.empty() || name.size() > kMaxTimezoneChars) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '+' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// The 36-character 8-4-4-4-12 form in any case, lower-cased; nothing else
// (no braces, no urn:uuid:, no bare 32 hex digits).
std::optional<std::string> canonical_uuid(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& text = v.get_ref<const std::string&>();
  if (text.size() != 36) return std::nullopt;
  std::string out = text;
  for (std::size_t i = 0; i < out.size(); ++i) {
    bool hyphen_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_slot) {
      if (out[i] != '-') return std::nullopt;
    } else if (hex_value(out[i]) < 0) {
      return std::nullopt;
    } else if (out[i] >= 'A' && out[i] <= 'F') {
      out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
  }
  return out;
}

std::optional<std::string> session_id_of(const FlatObject& m) {
  const json* id = m.find("sessionId");
  return id ? canonical_uuid(*id) : std::nullopt;
}

// Upper-cased: codes are read aloud and typed in any case.
std::optional<std::string> room_code(const json* v) {
  if (!v || !v->is_string()) return std::nullopt;
  std::string code = v->get<std::string>();
  if (code.size() < 4 || code.size() > 12) return std::nullopt;
  for (char& c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return code;
}

// An optional string field of at most max characters; false if malformed.
bool optional_string(const FlatObject& m, const char* name, std::size_t max, std::optional<std::string>& out) {
  const json* v = m.find(name);
  if (!v || v->is_null()) return true;
  if (!v->is_string() || v->get_ref<const std::string&>().size() > max) return false;
  out = v->get<std::string>();
  return true;
}

bool position(const json* v) {
  return v && v->is_number() && std::isfinite(v->get<double>()) && v->get<double>() >= 0 &&
         v->get<double>() <= kMaxPositionSec;
}

}  // namespace session_clock::worker::protocol::fields
