// Which tokens a client may act with: verified by the configured key, and
// only for the roles the worker serves (service_role, and the role access
// checks run as, --client-role). A signed token for any other role (anon,
// say) is refused, as PostgREST would not switch to it for a member's clock.
// Expiry is judged by the server clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt_verifier.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker::auth {

class TokenAdmission {
 public:
  // No verifier: nothing is admitted (clocks are unavailable; time sync works).
  TokenAdmission(std::optional<JwtVerifier> verifier, std::string client_role, const ServerClock& clock)
      : verifier_(std::move(verifier)), client_role_(std::move(client_role)), clock_(clock) {}

  bool configured() const { return verifier_.has_value(); }
  VerifyResult admit(std::string_view token) const;

 private:
  std::optional<JwtVerifier> verifier_;
  std::string client_role_;
  const ServerClock& clock_;
};

}  // namespace session_clock::worker::auth
