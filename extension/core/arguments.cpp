#include "arguments.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "sql_error.hpp"

namespace session_clock::core {
namespace {

// Decodes UTF-8 into code points. The input is valid UTF-8 (PostgreSQL
// checked it); a malformed byte is passed through as its own value.
std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    int extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
    if (lead >= 0x80 && lead < 0xC0) extra = 0;
    if (i + extra >= text.size()) extra = 0;  // truncated sequence
    char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

// Unicode Cc (C0, DEL, C1), line/paragraph separators, and the bidi
// controls that can make a log line read differently from what it holds.
bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// Why the text breaks the rule ("" if it doesn't).
std::string text_problem(std::string_view value, std::size_t max_chars) {
  std::string too_long = "is too long (at most " + std::to_string(max_chars) + " characters)";
  if (value.size() > 4 * max_chars) return too_long;  // no need to decode megabytes
  auto cps = code_points(value);
  if (std::all_of(cps.begin(), cps.end(), is_space)) return "must not be empty";
  if (cps.size() > max_chars) return too_long;
  if (std::any_of(cps.begin(), cps.end(), is_control)) return "must not contain control characters";
  return "";
}

void validate_text(std::string_view value, const char* parameter, std::size_t max_chars) {
  std::string problem = text_problem(value, max_chars);
  if (!problem.empty()) throw SqlError(sqlstate::kInvalidParameterValue, std::string(parameter) + " " + problem);
}

}  // namespace

void validate_reason(std::string_view reason) { validate_text(reason, "p_reason", kMaxReasonChars); }

void validate_participant_id(std::string_view participant_id) {
  validate_participant_param(participant_id, "p_participant_id");
}

void validate_participant_param(std::string_view participant_id, const char* parameter) {
  validate_text(participant_id, parameter, kMaxParticipantIdChars);
}

bool is_valid_participant_id(std::string_view participant_id) {
  return text_problem(participant_id, kMaxParticipantIdChars).empty();
}

void validate_room_code(std::string_view code) {
  bool ok = code.size() >= 4 && code.size() <= 12 &&
            std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
  if (!ok) throw SqlError(sqlstate::kInvalidParameterValue, "p_code must be 4 to 12 letters A-Z or digits");
}

void validate_track_text(std::string_view value, const char* parameter, std::size_t max_chars) {
  validate_text(value, parameter, max_chars);
}

bool is_guest_id(std::string_view participant_id) {
  return participant_id.substr(0, kGuestPrefix.size()) == kGuestPrefix;
}

void validate_guest_id(std::string_view participant_id, const char* parameter, bool guest_expected) {
  if (is_guest_id(participant_id) == guest_expected) return;
  throw SqlError(sqlstate::kInvalidParameterValue,
                 std::string(parameter) + (guest_expected ? " must be a guest id (guest:…)"
                                                          : ": ids beginning with guest: are reserved for guests"));
}

void validate_guest_room_code(std::string_view code) {
  if (code.size() < kMinGuestRoomCodeChars)
    throw SqlError(sqlstate::kInvalidParameterValue, "a room that admits guests needs a code of at least 10 characters",
                   "leave p_code NULL for a random one");
}

void validate_member_role(std::string_view role) {
  if (role != "host" && role != "participant")
    throw SqlError(sqlstate::kInvalidParameterValue, "p_role must be 'host' or 'participant'");
}

}  // namespace session_clock::core
