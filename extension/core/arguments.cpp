#include "arguments.hpp"

#include <string>

#include "sql_error.hpp"

namespace session_clock::core {
namespace {

// Counts UTF-8 code points (the input is valid UTF-8: PostgreSQL checked it).
std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool has_control_character(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

// Why the text breaks the rule, or nullptr if it doesn't.
const char* text_problem(std::string_view value, std::size_t max_chars) {
  if (is_blank(value)) return "must not be empty";
  if (utf8_length(value) > max_chars) return "is too long";
  if (has_control_character(value)) return "must not contain control characters";
  return nullptr;
}

void validate_text(std::string_view value, const char* parameter, std::size_t max_chars) {
  const char* problem = text_problem(value, max_chars);
  if (!problem) return;
  std::string message = std::string(parameter) + " " + problem;
  if (problem == std::string_view("is too long")) message += " (at most " + std::to_string(max_chars) + " characters)";
  throw SqlError(sqlstate::kInvalidParameterValue, message);
}

}  // namespace

void validate_reason(std::string_view reason) { validate_text(reason, "p_reason", kMaxReasonChars); }

void validate_participant_id(std::string_view participant_id) {
  validate_text(participant_id, "p_participant_id", kMaxParticipantIdChars);
}

bool is_valid_participant_id(std::string_view participant_id) {
  return text_problem(participant_id, kMaxParticipantIdChars) == nullptr;
}

void validate_member_role(std::string_view role) {
  if (role != "host" && role != "participant")
    throw SqlError(sqlstate::kInvalidParameterValue, "p_role must be 'host' or 'participant'");
}

}  // namespace session_clock::core
