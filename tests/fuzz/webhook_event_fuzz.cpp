// Any body POSTed to /webhooks/livekit (parsed only after the signature
// checks out, but a leaked webhook key must not be a crash either).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "livekit/webhook_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  session_clock::worker::livekit::parse_webhook_event(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
