// Any body POSTed to /timesync: a JSON-RPC request or batch, answered or
// refused, never a crash or a throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/outbound.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  session_clock::worker::protocol::jsonrpc_timesync_http(std::string_view(reinterpret_cast<const char*>(data), size),
                                                         1.7e12);
  return 0;
}
