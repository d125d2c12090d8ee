#include "auth/token_admission.hpp"

namespace session_clock::worker::auth {

VerifyResult TokenAdmission::admit(std::string_view token) const {
  if (!verifier_) return {std::nullopt, "authentication is not configured"};
  auto result = verifier_->verify(token, clock_.now_s());
  if (result.token && !result.token->is_service_role() && result.token->role != client_role_)
    return {std::nullopt, "token role not allowed"};
  return result;
}

}  // namespace session_clock::worker::auth
