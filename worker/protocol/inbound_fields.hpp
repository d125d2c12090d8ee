// The checks every inbound message's fields go through (inbound.cpp reads
// the messages): times, correlation ids, time zones, session ids, room codes,
// bounded strings and positions, and the ERROR a bad one becomes. Pure,
// never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/flat_object.hpp"
#include "protocol/inbound.hpp"

namespace session_clock::worker::protocol::fields {

using nlohmann::json;

// The ERROR for a refused message: code, text and the ref it echoes.
ProtocolError fail(const char* code, std::string text, const FlatObject& message);
ProtocolError bad_field(std::string text, const FlatObject& message);  // code bad_field

bool is_time_ms(const json& v);         // finite milliseconds in [0, 1e13]
bool is_correlation_id(const json& v);  // pingId, sequence
bool is_timezone_name(const json& v);
// sessionId in canonical (lower-case 8-4-4-4-12) form, or nullopt.
std::optional<std::string> session_id_of(const FlatObject& message);
// A room code upper-cased, or nullopt.
std::optional<std::string> room_code(const json* v);
// An optional string field of at most max characters; false if malformed.
bool optional_string(const FlatObject& message, const char* name, std::size_t max, std::optional<std::string>& out);
bool position(const json* v);  // seconds in [0, 86400]

}  // namespace session_clock::worker::protocol::fields
