#include "protojson_writer.hpp"

#include <utility>

namespace session_clock::testing {

std::string proto_json_name(std::string_view proto_name) {
  std::string out;
  bool upper_next = false;
  for (char c : proto_name) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    out += upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper_next = false;
  }
  return out;
}

ProtoJsonObject& ProtoJsonObject::put(std::string_view name, nlohmann::ordered_json value, bool is_default) {
  if (style_ == JsonStyle::livekit_server)
    json_[std::string(name)] = std::move(value);
  else if (!is_default)
    json_[proto_json_name(name)] = std::move(value);
  return *this;
}

ProtoJsonObject& ProtoJsonObject::text(std::string_view name, const std::string& value) {
  return put(name, value, value.empty());
}

ProtoJsonObject& ProtoJsonObject::int64(std::string_view name, std::int64_t value) {
  return put(name, std::to_string(value), value == 0);
}

ProtoJsonObject& ProtoJsonObject::uint32(std::string_view name, std::uint32_t value) {
  return put(name, value, value == 0);
}

ProtoJsonObject& ProtoJsonObject::boolean(std::string_view name, bool value) { return put(name, value, !value); }

ProtoJsonObject& ProtoJsonObject::enumeration(std::string_view name, const std::string& value,
                                              std::string_view zero_name) {
  return put(name, value, value == zero_name);
}

ProtoJsonObject& ProtoJsonObject::message(std::string_view name, const nlohmann::ordered_json* value) {
  return put(name, value ? *value : nlohmann::ordered_json(nullptr), value == nullptr);
}

ProtoJsonObject& ProtoJsonObject::list(std::string_view name, nlohmann::ordered_json array) {
  bool empty = array.empty();
  return put(name, std::move(array), empty);
}

ProtoJsonObject& ProtoJsonObject::map(std::string_view name, nlohmann::ordered_json object) {
  bool empty = object.empty();
  return put(name, std::move(object), empty);
}

}  // namespace session_clock::testing
