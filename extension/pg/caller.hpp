// Who is calling, and what they may do to a session.
//
// The model (docs/security.md): the role that is acting (SET ROLE, as
// PostgREST does, or the login role) decides. Superusers, the extension's
// owner (its installer, and the functions' owner: they differ in a trusted
// install by a non-superuser) and service_role are admins. anon never acts on a clock.
// authenticated, and any caller that sets request.jwt.claims with a sub, acts
// as that sub and only on sessions the sub is a member of. Any other role was
// granted EXECUTE by the DBA on purpose and is an admin.
#pragma once

#include <optional>
#include <string>

#include "guard.hpp"

namespace session_clock::pg {

enum class Access { none = 0, participant = 1, host = 2, admin = 3 };

struct Caller {
  bool admin = false;
  std::optional<std::string> sub;  // JWT sub, when acting for an end user
  Oid role = InvalidOid;           // the acting database role

  // The acting role's name (looked up only when an event needs it).
  std::string role_name() const;
  // What the event log records as "who did it".
  std::string actor() const { return sub ? *sub : role_name(); }
};

// Throws SqlError 42501 for callers that may never act on a clock.
Caller identify_caller();

// The caller's access to one session (none if not a member).
Access access_to(const Caller& caller, const pg_uuid_t& session_id);

// Throws SqlError 42501 unless the caller has at least `needed`.
void require_access(const Caller& caller, const pg_uuid_t& session_id, Access needed);

const char* access_name(Access access);

// Whether the participant is one of the session's members.
bool is_member(const pg_uuid_t& session_id, const std::string& participant_id);

}  // namespace session_clock::pg
