// RS256/384/512 and ES256/384 signatures checked with OpenSSL against a key
// built once (auth/jwk_set.hpp), not re-read per token as libjwt would. A
// JWS carries an ES* signature as raw r||s (RFC 7518 §3.4); OpenSSL wants
// DER, so it is converted here, and any other length is refused.
#pragma once

#include <openssl/types.h>

#include <string_view>

namespace session_clock::worker::auth {

// False for a bad signature, an algorithm this file does not know, or a key
// of another type than the algorithm's. Never throws.
bool jws_signature_matches(EVP_PKEY* key, std::string_view algorithm, std::string_view signing_input,
                           std::string_view signature) noexcept;

}  // namespace session_clock::worker::auth
