// A throwaway self-signed TLS certificate (P-256, one day), for tests that
// need an https server on 127.0.0.1: trusting it means putting the
// certificate itself in the client's trust store (SSL_CERT_FILE for OpenSSL's
// default paths).
#pragma once

#include <string>
#include <vector>

namespace session_clock::testing {

struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

// subject_alt_names in OpenSSL's config form: "DNS:localhost", "IP:127.0.0.1".
// Throws std::runtime_error if OpenSSL fails.
TlsIdentity make_self_signed_certificate(const std::string& common_name,
                                         const std::vector<std::string>& subject_alt_names);

}  // namespace session_clock::testing
