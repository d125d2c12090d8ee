#include "json_text.hpp"

#include <charconv>
#include <cmath>
#include <exception>
#include <vector>

namespace session_clock::core::json_text {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  unsigned char c1 = byte(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
  if (c == 0xED && c1 > 0x9F) return 0;  // UTF-16 surrogate
  if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xF4 && c1 > 0x8F) return 0;  // beyond U+10FFFF
  return n;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class Reader {
 public:
  Reader(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  std::optional<std::map<std::string, Value>> top_level_object() {
    skip_space();
    if (!eat('{')) return std::nullopt;
    std::map<std::string, Value> members;
    skip_space();
    if (!eat('}')) {
      do {
        skip_space();
        std::string key;
        if (!string(&key)) return std::nullopt;
        skip_space();
        if (!eat(':')) return std::nullopt;
        skip_space();
        Value v;
        if (!value(1, &v)) return std::nullopt;
        members[key] = std::move(v);
        skip_space();
      } while (eat(','));
      if (!eat('}')) return std::nullopt;
    }
    skip_space();
    if (i_ != s_.size()) return std::nullopt;
    return members;
  }

 private:
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool eat(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  // A value at nesting `depth`; fills `out` when given (top-level members only).
  bool value(int depth, Value* out) {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') {
      std::string text;
      if (!string(out ? &text : nullptr)) return false;
      if (out) *out = Value{Value::Type::string, std::move(text), 0};
      return true;
    }
    if (c == '{' || c == '[') return container(depth + 1);
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    return eat("true") || eat("false") || eat("null");
  }

  // A nested object or array, checked and skipped without recursion (claims
  // may nest deeper than a stack would allow: PostgREST does not mind).
  bool container(int depth) {
    std::vector<char> closers;
    bool opened = true;  // just after '{' or '[': the closer may come at once
    auto open = [&]() {
      closers.push_back(s_[i_] == '{' ? '}' : ']');
      ++i_;
      opened = true;
      return depth + static_cast<int>(closers.size()) - 1 <= max_depth_;
    };
    if (!open()) return false;
    while (true) {
      skip_space();
      if (opened && eat(closers.back())) {
        closers.pop_back();
      } else {
        if (closers.back() == '}') {
          if (!string(nullptr)) return false;
          skip_space();
          if (!eat(':')) return false;
          skip_space();
        }
        if (i_ < s_.size() && (s_[i_] == '{' || s_[i_] == '[')) {
          if (!open()) return false;
          continue;
        }
        if (i_ >= s_.size() || s_[i_] == '{' || s_[i_] == '[' || !value(depth, nullptr)) return false;
      }
      // After a value (or a closed container): a comma, or closers.
      while (true) {
        if (closers.empty()) return true;
        skip_space();
        if (eat(',')) {
          opened = false;
          break;
        }
        if (!eat(closers.back())) return false;
        closers.pop_back();
      }
    }
  }

  bool digits() {
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  bool number(Value* out) {
    std::size_t start = i_;
    eat('-');
    if (eat('0')) {
      // no leading zeros
    } else if (!digits()) {
      return false;
    }
    bool integral = true;
    if (eat('.')) {
      integral = false;
      if (!digits()) return false;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      integral = false;
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    if (out) {
      *out = Value{};
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s_.data() + start, s_.data() + i_, n);
      if (integral && ec == std::errc() && end == s_.data() + i_) *out = Value{Value::Type::integer, {}, n};
    }
    return true;
  }

  bool hex4(std::uint32_t* code) {
    if (i_ + 4 > s_.size()) return false;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
    }
    *code = v;
    return true;
  }

  // A string literal; its decoded text into *out when given.
  bool string(std::string* out) {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c != '\\') {
        std::size_t n = utf8_length(s_, i_);
        if (n == 0) return false;
        if (out) out->append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      if (++i_ >= s_.size()) return false;
      char e = s_[i_++];
      std::uint32_t code = 0;
      switch (e) {
        case '"': code = '"'; break;
        case '\\': code = '\\'; break;
        case '/': code = '/'; break;
        case 'b': code = '\b'; break;
        case 'f': code = '\f'; break;
        case 'n': code = '\n'; break;
        case 'r': code = '\r'; break;
        case 't': code = '\t'; break;
        case 'u': {
          if (!hex4(&code)) return false;
          if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate alone
          if (code >= 0xD800 && code <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!eat("\\u") || !hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          break;
        }
        default:
          return false;
      }
      if (out) append_utf8(*out, code);
    }
    return false;
  }

  std::string_view s_;
  int max_depth_;
  std::size_t i_ = 0;
};

}  // namespace

std::string quote(std::string_view value) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size();) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      std::size_t n = utf8_length(value, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        ++i;
        continue;
      }
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  return out + '"';
}

void ObjectWriter::key(const char* name) {
  if (text_.size() > 1) text_ += ',';
  text_ += quote(name);
  text_ += ':';
}

ObjectWriter& ObjectWriter::add(const char* name, std::string_view value) {
  key(name);
  text_ += quote(value);
  return *this;
}

ObjectWriter& ObjectWriter::add_integer(const char* name, std::int64_t value) {
  key(name);
  text_ += std::to_string(value);
  return *this;
}

ObjectWriter& ObjectWriter::add(const char* name, bool value) {
  key(name);
  text_ += value ? "true" : "false";
  return *this;
}

ObjectWriter& ObjectWriter::add(const char* name, double value) {
  key(name);
  if (!std::isfinite(value)) {
    text_ += "null";
    return *this;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  text_.append(buf, ec == std::errc() ? end : buf);
  return *this;
}

ObjectWriter& ObjectWriter::add(const char* name, const std::vector<std::string>& values) {
  key(name);
  text_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_ += ',';
    text_ += quote(values[i]);
  }
  text_ += ']';
  return *this;
}

std::optional<std::map<std::string, Value>> read_object(std::string_view text, int max_depth) noexcept {
  try {
    return Reader(text, max_depth).top_level_object();
  } catch (const std::exception&) {  // out of memory
    return std::nullopt;
  }
}

}  // namespace session_clock::core::json_text
