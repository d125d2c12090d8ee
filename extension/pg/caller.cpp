#include <cstring>

#include "../core/arguments.hpp"
#include "../core/jwt_claims.hpp"
#include "../core/sql_error.hpp"

#include "caller.hpp"
#include "spi.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

namespace session_clock::pg {
namespace {

using core::SqlError;
namespace sqlstate = core::sqlstate;

// Whether `role` has the privileges of the named role (false if it doesn't exist).
bool has_privs_of(Oid role, const char* name) {
  return pg_call([&] {
    Oid other = get_role_oid(name, /*missing_ok=*/true);
    return OidIsValid(other) && has_privs_of_role(role, other);
  });
}

// The acting role: SET ROLE changes it, SECURITY DEFINER does not, so inside
// our functions this is still the caller (GetUserId() is the owner).
Oid acting_role() { return pg_call([] { return GetOuterUserId(); }); }

// pg_extension.extowner: whoever ran CREATE EXTENSION. A trusted install
// by a non-superuser makes the objects the bootstrap superuser's and only
// the extension its installer's (InvalidOid if not installed).
Oid extension_owner() {
  Oid owner = InvalidOid;
  Relation rel = table_open(ExtensionRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("session_clock"));
  SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  if (HeapTupleIsValid(tuple)) owner = reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner;
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return owner;
}

bool is_admin_role(Oid role) {
  return pg_call([&] {
    if (superuser_arg(role)) return true;
    if (has_privs_of_role(role, GetUserId())) return true;  // the functions' owner
    Oid installer = extension_owner();
    return OidIsValid(installer) && has_privs_of_role(role, installer);
  }) || has_privs_of(role, "service_role");
}


// request.jwt.claims as PostgREST 9+ sets it; older PostgREST set one GUC
// per claim (request.jwt.claim.sub).
core::JwtClaims current_claims() {
  const char* json = pg_call([] { return GetConfigOption("request.jwt.claims", true, false); });
  auto claims = core::parse_jwt_claims(json ? json : "");
  if (!claims.sub) {
    const char* sub = pg_call([] { return GetConfigOption("request.jwt.claim.sub", true, false); });
    if (sub && *sub) claims.sub = sub;
  }
  return claims;
}

}  // namespace

std::string Caller::role_name() const {
  const char* name = pg_call([&] { return GetUserNameFromId(role, /*noerr=*/true); });
  return name ? name : "unknown";
}

Caller identify_caller() {
  Oid role = acting_role();
  Caller caller;
  caller.role = role;
  if (is_admin_role(role)) {
    caller.admin = true;
    return caller;
  }
  // Roles that inherit authenticated or anon (Supabase's custom API roles do)
  // are restricted like them.
  bool end_user_role = has_privs_of(role, "authenticated");
  if (!end_user_role && has_privs_of(role, "anon"))
    throw SqlError(sqlstate::kInsufficientPrivilege, "role anon may not act on session clocks",
                   "anon may only call the server-time functions; sign in first");
  caller.sub = current_claims().sub;
  if (caller.sub && !core::is_valid_participant_id(*caller.sub))
    throw SqlError(sqlstate::kInsufficientPrivilege, "the JWT sub claim is not a valid participant id",
                   "a sub must be 1 to 200 characters without control characters");
  if (caller.sub) return caller;
  if (end_user_role)
    throw SqlError(sqlstate::kInsufficientPrivilege, "request.jwt.claims has no sub claim",
                   "role authenticated acts only for the user named by the JWT sub claim");
  caller.admin = true;  // a role the DBA granted EXECUTE to, acting for itself
  return caller;
}

Access access_to(const Caller& caller, const pg_uuid_t& session_id) {
  if (caller.admin) return Access::admin;
  if (!caller.sub) return Access::none;
  static Statement member_role(
      "SELECT role FROM session_clock.session_members "
      "WHERE session_id OPERATOR(pg_catalog.=) $1 AND participant_id OPERATOR(pg_catalog.=) $2",
      {UUIDOID, TEXTOID});
  Datum args[2];
  args[0] = UUIDPGetDatum(const_cast<pg_uuid_t*>(&session_id));
  args[1] = pg_call([&] { return CStringGetTextDatum(caller.sub->c_str()); });
  if (member_role.run(args, nullptr, true) == 0) return Access::none;
  Datum role_text = required_column(0, 1);
  char* role = pg_call([&] { return TextDatumGetCString(role_text); });
  return std::strcmp(role, "host") == 0 ? Access::host : Access::participant;
}

void require_access(const Caller& caller, const pg_uuid_t& session_id, Access needed) {
  Access have = access_to(caller, session_id);
  if (static_cast<int>(have) >= static_cast<int>(needed)) return;
  if (have == Access::none)
    throw SqlError(sqlstate::kInsufficientPrivilege, "not a member of this session",
                   "user \"" + caller.actor() + "\" is not in session_clock.session_members for it");
  throw SqlError(sqlstate::kInsufficientPrivilege, "only the session's host may do this");
}

bool is_member(const pg_uuid_t& session_id, const std::string& participant_id) {
  Caller member;
  member.sub = participant_id;
  return access_to(member, session_id) != Access::none;
}

const char* access_name(Access access) {
  switch (access) {
    case Access::none: return nullptr;
    case Access::participant: return "participant";
    case Access::host: return "host";
    case Access::admin: return "admin";
  }
  return nullptr;
}

}  // namespace session_clock::pg
