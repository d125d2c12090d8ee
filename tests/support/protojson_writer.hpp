// Writes a protobuf message as proto3 JSON in either of the two spellings
// LiveKit's servers use, so the RoomService stand-in can answer in both:
//   livekit_server     what livekit-server's Twirp server writes: proto field
//                      names, every field present (twirp's generated
//                      marshaler runs protojson with UseProtoNames and
//                      EmitUnpopulated unless told otherwise);
//   protojson_compact  what Go's protojson.Marshal writes by default (and
//                      LiveKit's webhooks use): lowerCamelCase names, fields
//                      at their default value left out.
// Either way int64 is a decimal string and an enum its value's name.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace session_clock::testing {

enum class JsonStyle { livekit_server, protojson_compact };

// protoc's json_name: underscores dropped, the letter after each upper-cased.
std::string proto_json_name(std::string_view proto_name);

class ProtoJsonObject {
 public:
  explicit ProtoJsonObject(JsonStyle style) : style_(style) {}

  ProtoJsonObject& text(std::string_view name, const std::string& value);
  ProtoJsonObject& int64(std::string_view name, std::int64_t value);
  ProtoJsonObject& uint32(std::string_view name, std::uint32_t value);
  ProtoJsonObject& boolean(std::string_view name, bool value);
  // An enum whose value 0 is named `zero_name` (that one is the default).
  ProtoJsonObject& enumeration(std::string_view name, const std::string& value, std::string_view zero_name);
  // A message field; an unset one is null in livekit_server style.
  ProtoJsonObject& message(std::string_view name, const nlohmann::ordered_json* value);
  ProtoJsonObject& list(std::string_view name, nlohmann::ordered_json array);
  ProtoJsonObject& map(std::string_view name, nlohmann::ordered_json object);

  const nlohmann::ordered_json& json() const { return json_; }

 private:
  ProtoJsonObject& put(std::string_view name, nlohmann::ordered_json value, bool is_default);

  JsonStyle style_;
  nlohmann::ordered_json json_ = nlohmann::ordered_json::object();
};

}  // namespace session_clock::testing
