#include "logfmt.hpp"

#include <nlohmann/json.hpp>

namespace session_clock::testing {
namespace {

bool key_char(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return first ? alpha : alpha || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool bare_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '=' && c != '"' && c != '\\';
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_logfmt(std::string_view line) {
  std::map<std::string, std::string> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t key_start = i;
    while (i < line.size() && key_char(line[i], i == key_start)) ++i;
    if (i == key_start || i >= line.size() || line[i] != '=') return std::nullopt;
    std::string key(line.substr(key_start, i - key_start));
    ++i;  // '='
    std::string value;
    if (i < line.size() && line[i] == '"') {
      std::size_t start = i++;
      while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
      if (i >= line.size()) return std::nullopt;
      ++i;  // closing quote
      auto decoded = nlohmann::json::parse(line.substr(start, i - start), nullptr, false);
      if (!decoded.is_string()) return std::nullopt;
      value = decoded.get<std::string>();
    } else {
      std::size_t start = i;
      while (i < line.size() && bare_char(line[i])) ++i;
      if (i == start) return std::nullopt;
      value = std::string(line.substr(start, i - start));
    }
    if (i < line.size() && line[i] != ' ') return std::nullopt;  // e.g. a quote closed too early
    if (!fields.emplace(std::move(key), std::move(value)).second) return std::nullopt;
  }
  return fields;
}

std::string log_line_problem(std::string_view line, std::string_view format) {
  if (format == "json") {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) return "not a JSON object";
    for (const char* key : {"ts", "level", "msg"})
      if (!j.contains(key) || !j[key].is_string()) return std::string("no string ") + key;
    return "";
  }
  auto fields = parse_logfmt(line);
  if (!fields) return "not logfmt";
  for (const char* key : {"ts", "level", "msg"})
    if (!fields->count(key)) return std::string("no ") + key;
  return "";
}

}  // namespace session_clock::testing
