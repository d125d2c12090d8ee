// Any WebSocket text frame a client can send: the message decoder and the
// trace reader must answer every input with a value, never a crash or a throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/options.hpp"
#include "protocol/inbound.hpp"
#include "protocol/trace.hpp"

using namespace session_clock::worker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  protocol::parse_inbound(frame, Limits{}.max_json_depth);
  auto trace = protocol::read_trace(frame, 1.7e12);
  if (auto* kept = std::get_if<protocol::Trace>(&trace); kept && *kept) (*kept)->dump();
  return 0;
}
