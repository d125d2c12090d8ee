// Validation of RPC arguments that is independent of PostgreSQL types.
// Each function throws SqlError (22023) with a message naming the parameter.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <string_view>

namespace session_clock::core {

inline constexpr std::size_t kMaxReasonChars = 200;
inline constexpr std::size_t kMaxParticipantIdChars = 200;

// A reason is free text for the audit log: bounded, printable, not blank.
void validate_reason(std::string_view reason);
void validate_participant_id(std::string_view participant_id);
// The same rule for a parameter with another name (p_as, p_new_host).
void validate_participant_param(std::string_view participant_id, const char* parameter);
// The same rule as a predicate, for ids that arrive as a JWT sub.
bool is_valid_participant_id(std::string_view participant_id);
// "host" or "participant".
void validate_member_role(std::string_view role);

// Rooms: a join code is 4 to 12 of A-Z and 0-9 (callers upper-case it
// first); track fields and request ids are bounded printable text.
inline constexpr std::size_t kMaxTrackUrlChars = 2048;
inline constexpr std::size_t kMaxTrackTextChars = 300;
inline constexpr std::size_t kMaxRequestIdChars = 100;
void validate_room_code(std::string_view code);
void validate_track_text(std::string_view value, const char* parameter, std::size_t max_chars);

// Guests (seed 004) have no account: the worker names them `guest:…`, a
// prefix no member added any other way may use, so a guest can never pass
// for a user. A guest room's code is a key: at least this long.
inline constexpr std::string_view kGuestPrefix = "guest:";
inline constexpr std::size_t kMinGuestRoomCodeChars = 10;
inline constexpr std::size_t kMaxGuestNameChars = 64;
bool is_guest_id(std::string_view participant_id);
// 22023 unless participant_id is a guest id, or (guest_expected false) unless it is not.
void validate_guest_id(std::string_view participant_id, const char* parameter, bool guest_expected);
void validate_guest_room_code(std::string_view code);

}  // namespace session_clock::core
