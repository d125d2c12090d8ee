#include <chrono>

#include "app/server_context.hpp"

namespace session_clock::worker {

auth::VerifyResult verify_token(const ServerContext& ctx, std::string_view token) {
  if (!ctx.verifier) return {std::nullopt, "authentication is not configured"};
  auto result = ctx.verifier->verify(token, ctx.clock.now_s());
  if (result.token && result.token->role != "service_role" && result.token->role != ctx.options.client_role)
    return {std::nullopt, "token role not allowed"};
  return result;
}

}  // namespace session_clock::worker
