// Secrets from files (kept out of ps and the environment), and the claims a
// token must carry, as the command line gives them.
#include "config/options.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using session_clock::worker::parse_options;

namespace {

session_clock::worker::ParsedOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"session-clock-worker", "--database-url", "postgresql:///x"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

std::string temp_file(const std::string& contents) {
  std::string path = testing::TempDir() + "secret-" + std::to_string(std::rand());
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

}  // namespace

TEST(Options, SecretsAreReadFromFilesWithoutTheTrailingNewline) {
  auto jwt = temp_file("a-secret-with-enough-entropy-0123456789\n");
  auto livekit = temp_file("lk-secret\r\n");
  auto parsed = parse({"--jwt-secret-file", jwt, "--livekit-api-key", "key", "--livekit-api-secret-file", livekit});
  ASSERT_TRUE(parsed.options) << parsed.exit_status;
  EXPECT_EQ(parsed.options->jwt_secret, "a-secret-with-enough-entropy-0123456789");
  EXPECT_EQ(parsed.options->livekit.api_secret, "lk-secret");
  std::remove(jwt.c_str());
  std::remove(livekit.c_str());
}

TEST(Options, ASecretAndItsFileAreExclusiveAndAnEmptyFileIsRefused) {
  auto jwt = temp_file("s\n");
  EXPECT_FALSE(parse({"--jwt-secret", "x", "--jwt-secret-file", jwt}).options);
  auto empty = temp_file("\n");
  EXPECT_FALSE(parse({"--jwt-secret-file", empty}).options);
  EXPECT_FALSE(parse({"--jwt-secret-file", "/nonexistent/secret"}).options);
  std::remove(jwt.c_str());
  std::remove(empty.c_str());
}

TEST(Options, RequiredClaimsAndTrustedProxies) {
  auto parsed = parse({"--jwt-aud", "authenticated", "--jwt-iss", "https://ref.supabase.co/auth/v1",
                       "--trusted-proxies", "127.0.0.1,10.0.0.0/8"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->jwt_audience, "authenticated");
  EXPECT_EQ(parsed.options->jwt_issuer, "https://ref.supabase.co/auth/v1");
  EXPECT_EQ(parsed.options->trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_FALSE(parse({"--trusted-proxies", "nginx"}).options);
}

TEST(Options, PartyStateLimitsHaveDefaultsAndFlags) {
  auto defaults = parse({});
  ASSERT_TRUE(defaults.options);
  EXPECT_EQ(defaults.options->party_state.rate_per_second, 10);
  EXPECT_EQ(defaults.options->party_state.burst, 30);
  EXPECT_EQ(defaults.options->party_state.cache_ttl, std::chrono::milliseconds(250));
  auto set = parse({"--party-state-rate", "2.5", "--party-state-burst", "4", "--party-state-cache-ms", "0"});
  ASSERT_TRUE(set.options);
  EXPECT_EQ(set.options->party_state.rate_per_second, 2.5);
  EXPECT_EQ(set.options->party_state.burst, 4);
  EXPECT_EQ(set.options->party_state.cache_ttl, std::chrono::milliseconds(0));
  EXPECT_FALSE(parse({"--party-state-cache-ms", "60000"}).options);
  EXPECT_FALSE(parse({"--party-state-rate", "0"}).options);
}

TEST(Options, OneKindOfPublicKeyTheHsSecretBesideAJwks) {
  auto jwks = temp_file(R"({"keys":[]})");
  auto parsed = parse({"--jwt-secret", "x", "--jwks-url", "https://ref.supabase.co/auth/v1/.well-known/jwks.json"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->jwks_url, "https://ref.supabase.co/auth/v1/.well-known/jwks.json");
  EXPECT_TRUE(parse({"--jwks-file", jwks}).options);
  EXPECT_FALSE(parse({"--jwks-file", jwks, "--jwks-url", "https://a.test/jwks.json"}).options);
  EXPECT_FALSE(parse({"--jwks-file", jwks, "--jwt-public-key", jwks}).options);
  std::remove(jwks.c_str());
}
