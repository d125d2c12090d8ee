#include "session_writer.hpp"

#include "settings.hpp"

namespace session_clock::pg {

void SessionWriter::write(const core::SessionChange& change, const std::string* participant_id) {
  save_change(id_, stored_, change, caller_, participant_id);
  stored_.session = change.next;
  wrote_ = true;
}

void SessionWriter::react(core::Micros now_us) {
  if (!stored_.has_grace_columns) return;  // a 1.0 schema knows no grace rule
  write(core::react(session(), grace_config(stored_), now_us));
}

void SessionWriter::track() {
  if (stored_.session.grace.tracked) return;
  save_tracked(id_);
  stored_.session.grace.tracked = true;
}

void SessionWriter::configure(std::optional<std::int32_t> min_participants, std::optional<std::int32_t> grace_ms,
                              core::Micros now_us) {
  save_grace_config(id_, min_participants, grace_ms);
  if (min_participants) stored_.min_participants = min_participants;
  if (grace_ms) stored_.grace_ms = grace_ms;
  write(core::configured(session(), now_us));
}

}  // namespace session_clock::pg
