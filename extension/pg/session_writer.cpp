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

void SessionWriter::configure(const SessionSettings& settings, core::Micros now_us) {
  save_settings(id_, settings);
  if (settings.min_participants) stored_.min_participants = settings.min_participants;
  if (settings.grace_ms) stored_.grace_ms = settings.grace_ms;
  bool only_single_device = settings.single_device && !settings.min_participants && !settings.grace_ms;
  write(core::configured(session(), now_us, /*track=*/!only_single_device));
}

}  // namespace session_clock::pg
