// Seed 000's passive trace stamps: a message that carries a `trace` object
// gets trace.server_receive stamped when it arrives, and every reply to it
// carries that trace back, the client's fields intact, with
// trace.server_send stamped as the reply goes to the socket. A client learns
// its offset from normal traffic: ((server_receive + server_send) / 2) −
// (its send + its receive) / 2, with no time-sync message of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

// A message's trace, server_receive stamped, its fields in the client's
// order; shared by its replies.
using Trace = std::shared_ptr<const nlohmann::ordered_json>;

// Echoed in every reply, so a bound on what one message can make us send.
constexpr std::size_t kMaxTraceBytes = 4096;

struct TraceTooLarge {};

// The trace of `frame` (valid JSON within the depth limit, already parsed
// once by parse_inbound): null when it carries no `trace` object (a
// non-object `trace` is not ours to touch), TraceTooLarge past the bound.
std::variant<Trace, TraceTooLarge> read_trace(std::string_view frame, double receive_ms);

// `frame` (a JSON object's text) with "trace": trace, server_send stamped.
std::string with_trace(const std::string& frame, const nlohmann::ordered_json& trace, double send_ms);

}  // namespace session_clock::worker::protocol
