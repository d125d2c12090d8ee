#include "test_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <functional>
#include <memory>
#include <stdexcept>

namespace session_clock::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
  void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("make_self_signed_certificate: ") + what);
}

std::string pem_of(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  check(bio && write(bio.get()) == 1, "cannot write PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void add_extension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  check(extension && X509_add_ext(certificate, extension.get(), -1) == 1, "cannot add an extension");
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

}  // namespace

TlsIdentity make_self_signed_certificate(const std::string& common_name,
                                         const std::vector<std::string>& subject_alt_names) {
  std::unique_ptr<EVP_PKEY, Free> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, Free> certificate(X509_new());
  check(key && certificate, "cannot allocate");
  check(X509_set_version(certificate.get(), 2) == 1, "cannot set v3");  // 2 means v3
  check(ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1) == 1, "cannot set the serial");
  check(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60) &&
            X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 86400),
        "cannot set the validity");
  X509_NAME* name = X509_get_subject_name(certificate.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
        "cannot set the name");
  check(X509_set_issuer_name(certificate.get(), name) == 1 && X509_set_pubkey(certificate.get(), key.get()) == 1,
        "cannot set issuer or key");
  add_extension(certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(certificate.get(), NID_subject_alt_name, joined(subject_alt_names));
  check(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0, "cannot sign");
  return {pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); }), pem_of([&](BIO* bio) {
            return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

}  // namespace session_clock::testing
