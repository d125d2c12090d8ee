// Any payload on the session_clock NOTIFY channel: anyone who may run NOTIFY
// in the database can send one. What parses as a clock change must survive
// the builder's round trip unchanged (sender and listener agree).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/notification.hpp"

using namespace session_clock::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto note = parse_notification(std::string_view(reinterpret_cast<const char*>(data), size));
  if (note.kind == Notification::Kind::member_removed) {
    auto again = parse_notification(member_removed_payload(note.session_id, note.participant_id));
    if (again.kind != note.kind || again.session_id != note.session_id || again.participant_id != note.participant_id)
      std::abort();
  }
  if (note.kind == Notification::Kind::room) {
    auto again = parse_notification(room_payload(note.room, note.event.c_str(), note.version));
    if (again.kind != note.kind || again.room != note.room || again.version != note.version) std::abort();
  }
  return 0;
}
