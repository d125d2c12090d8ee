// Any bearer token: the compact JWS decoder, the header rules, the exp/nbf
// window and the claims reader, in the order the verifier runs them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/compact_jws.hpp"
#include "core/jwt_claims.hpp"

using namespace session_clock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto jws = worker::auth::decode_compact_jws(token);
  if (!jws) return 0;
  worker::auth::check_typ_and_crit(jws->header);
  worker::auth::check_validity_window(jws->payload, 1'700'000'000, 30);
  core::parse_jwt_claims(jws->payload.dump());
  return 0;
}
