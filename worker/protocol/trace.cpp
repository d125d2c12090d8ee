#include "protocol/trace.hpp"

#include "protocol/json_numbers.hpp"

namespace session_clock::worker::protocol {

using nlohmann::ordered_json;

std::variant<Trace, TraceTooLarge> read_trace(std::string_view frame, double receive_ms) {
  if (frame.find("\"trace\"") == std::string_view::npos) return Trace{};  // the common case: no second parse
  ordered_json message = ordered_json::parse(frame.begin(), frame.end(), nullptr, false);
  if (!message.is_object()) return Trace{};
  auto it = message.find("trace");
  if (it == message.end() || !it->is_object()) return Trace{};
  ordered_json trace = std::move(*it);
  trace["server_receive"] = server_ms(receive_ms);
  if (trace.dump().size() > kMaxTraceBytes) return TraceTooLarge{};
  return std::make_shared<const ordered_json>(std::move(trace));
}

std::string with_trace(const std::string& frame, const ordered_json& trace, double send_ms) {
  if (frame.size() < 2 || frame.back() != '}') return frame;  // not an object: nothing to add to
  ordered_json stamped = trace;
  stamped["server_send"] = server_ms(send_ms);
  bool empty_object = frame.find_first_not_of(" \t\r\n", 1) == frame.size() - 1;
  std::string out = frame.substr(0, frame.size() - 1);
  if (!empty_object) out += ',';
  out += "\"trace\":";
  out += stamped.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  out += '}';
  return out;
}

}  // namespace session_clock::worker::protocol
