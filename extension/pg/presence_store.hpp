// Presence rows (session_clock.presence), worker leases, and the queries that
// find due grace deadlines. Callers hold the session's row lock, so counts
// read here are the ones the grace rule acts on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/clock_model.hpp"
#include "guard.hpp"

namespace session_clock::pg {
class SessionWriter;
}

namespace session_clock::pg {

// Where a presence report came from; 'websocket' rows belong to a worker.
enum class Source { sql, websocket, livekit };
std::optional<Source> parse_source(const std::string& text);
const char* source_name(Source source);

struct PresenceKey {
  pg_uuid_t session_id;
  std::string participant_id;
  Source source;
  std::optional<pg_uuid_t> worker_id;
};

// Adds or removes the one row for this key; false if it already was so.
bool put_presence(const PresenceKey& key, bool present);

// Sets the one row for this key and, when the participant's presence across
// all sources changed, logs its join or leave (with `reason`) through the
// writer; the caller lets the grace rule react afterwards. True if it changed.
bool change_presence(SessionWriter& writer, const PresenceKey& key, bool present, const char* reason,
                     core::Micros now_us);

// Ends the participant's presence through every source (member removal):
// its rows go, its LiveKit connections count as left (a late event of one of
// them cannot bring it back), and a leave is logged if it was present.
bool end_presence(SessionWriter& writer, const pg_uuid_t& session_id, const std::string& participant_id,
                  const char* reason, core::Micros now_us);

// Whether the participant is present through any source.
bool participant_present(const pg_uuid_t& session_id, const std::string& participant_id);

// Distinct participants present through any source.
std::int32_t count_participants(const pg_uuid_t& session_id);

// Whether the worker's lease is registered and not expired.
bool worker_lease_alive(const pg_uuid_t& worker_id);

// Locks up to `limit` sessions whose deadline has passed, earliest first,
// skipping rows another transaction holds (it applies the deadline itself).
std::vector<pg_uuid_t> lock_due_sessions(std::int32_t limit, core::Micros now_us);

// Milliseconds until the earliest pending deadline (negative if overdue).
std::optional<double> next_deadline_in_ms();

}  // namespace session_clock::pg
