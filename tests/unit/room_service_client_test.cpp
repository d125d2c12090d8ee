// The worker's RoomServiceClient against the in-process RoomService stand-in
// (tests/support), whose wire shape tests/livekit proves with LiveKit's own
// Node SDK. No database: real sockets on 127.0.0.1 only.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "livekit/room_service.hpp"
#include "room_service_standin.hpp"

namespace {

using session_clock::testing::JsonStyle;
using session_clock::testing::make_self_signed_certificate;
using session_clock::testing::RoomServiceStandIn;
using session_clock::testing::TlsIdentity;
using session_clock::worker::livekit::RoomListingResult;
using session_clock::worker::livekit::RoomServiceClient;
using namespace std::chrono_literals;

// The tokens' nbf and exp: this host's time (the stand-in checks them).
std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const std::string kKey = "APIw8pLx2cQeZ";
const std::string kSecret = "Wq3kOpvS1xYfZ8mGtA5nR7cJ2uLhE9dBvK4sN6yT0iP";

std::vector<std::string> present(const RoomListingResult& result) {
  std::vector<std::string> out;
  if (result.listing)
    for (const auto& p : result.listing->participants) out.push_back(p.sid + "/" + p.identity);
  return out;
}

class RoomServiceClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    standin_.set_room("call-1", "RM_hycBMAjmt6Ub",
                      {{"PA_1", "alice", "ACTIVE", 1'700'000'000},
                       {"PA_2", "bob", "JOINING", 1'700'000'001},
                       {"PA_3", "carol", "DISCONNECTED", 1'700'000'002},
                       {"PA_4", "dave", "JOINED", 1'700'000'003}});
  }

  RoomServiceClient client(std::chrono::milliseconds timeout = 5s) const {
    return RoomServiceClient(standin_.url(), kKey, kSecret, timeout);
  }

  void expect_call_1(const RoomListingResult& result) const {
    ASSERT_TRUE(result.listing) << result.error << " / stand-in: " << standin_.last_error();
    EXPECT_TRUE(result.listing->exists);
    EXPECT_EQ(result.listing->room_sid, "RM_hycBMAjmt6Ub");
    EXPECT_EQ(present(result), (std::vector<std::string>{"PA_1/alice", "PA_2/bob", "PA_4/dave"}));
  }

  RoomServiceStandIn standin_{kKey, kSecret};
};

TEST_F(RoomServiceClientTest, ListsTheRoomWithoutDisconnectedParticipants) {
  expect_call_1(client().list_room("call-1", now_s()));
  EXPECT_EQ(standin_.requests("ListRooms"), 1);
  EXPECT_EQ(standin_.requests("ListParticipants"), 1);
  EXPECT_EQ(standin_.last_error(), "");
}

TEST_F(RoomServiceClientTest, ReadsProtojsonCompactAnswersToo) {
  standin_.set_json_style(JsonStyle::protojson_compact);  // camelCase; JOINING has no "state"
  expect_call_1(client().list_room("call-1", now_s()));
}

TEST_F(RoomServiceClientTest, MissingRoomIsNotAnErrorAndSkipsListParticipants) {
  auto result = client().list_room("call-2", now_s());
  ASSERT_TRUE(result.listing) << result.error;
  EXPECT_FALSE(result.listing->exists);
  EXPECT_EQ(result.listing->room_sid, "");
  EXPECT_TRUE(result.listing->participants.empty());
  EXPECT_EQ(standin_.requests("ListParticipants"), 0);
}

TEST_F(RoomServiceClientTest, RoomThatEndsBetweenTheCallsAnsweredNotFound) {
  standin_.set_missing_room_not_found(true);
  standin_.after_each_answer([this](const std::string& method) {
    if (method == "ListRooms") standin_.remove_room("call-1");
  });
  auto result = client().list_room("call-1", now_s());
  ASSERT_TRUE(result.listing) << result.error;
  EXPECT_FALSE(result.listing->exists);
  EXPECT_EQ(standin_.requests("ListParticipants"), 1);
  EXPECT_EQ(standin_.last_error(), "ListParticipants: not_found: requested room does not exist");
}

// livekit-server's stores answer an empty list for a room they do not hold.
TEST_F(RoomServiceClientTest, RoomThatEndsBetweenTheCallsAnsweredEmpty) {
  standin_.after_each_answer([this](const std::string& method) {
    if (method == "ListRooms") standin_.remove_room("call-1");
  });
  auto result = client().list_room("call-1", now_s());
  ASSERT_TRUE(result.listing) << result.error;
  EXPECT_TRUE(result.listing->exists);
  EXPECT_TRUE(result.listing->participants.empty());
}

TEST_F(RoomServiceClientTest, WrongSecretIsUnauthenticatedWithoutEchoingTheToken) {
  RoomServiceClient wrong(standin_.url(), kKey, "not the secret");
  auto result = wrong.list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error, "livekit: unauthenticated: http 401");
  EXPECT_NE(standin_.last_error().find("invalid token: eyJ"), std::string::npos) << standin_.last_error();
  EXPECT_EQ(standin_.requests("ListParticipants"), 0);
}

TEST_F(RoomServiceClientTest, UnknownApiKeyIsUnauthenticated) {
  auto result = RoomServiceClient(standin_.url(), "APIother", kSecret).list_room("call-1", now_s());
  EXPECT_EQ(result.error, "livekit: unauthenticated: http 401");
  EXPECT_EQ(standin_.last_error(), "ListRooms: http 401: invalid API key: APIother");
}

TEST_F(RoomServiceClientTest, OutageIsAnError) {
  standin_.set_unavailable(true);
  auto result = client().list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error, "livekit: unavailable: livekit is unavailable (stand-in outage)");
  standin_.set_unavailable(false);
  expect_call_1(client().list_room("call-1", now_s()));
}

TEST_F(RoomServiceClientTest, PathPrefixIsUsed) {
  RoomServiceClient proxied(standin_.url() + "/behind/proxy", kKey, kSecret);
  auto result = proxied.list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error.rfind("livekit: bad_route: no handler for path \"/behind/proxy/twirp/", 0), 0u)
      << result.error;
}

TEST_F(RoomServiceClientTest, ServerThatNeverAnswersTimesOut) {
  standin_.set_unresponsive(true);
  auto started = std::chrono::steady_clock::now();
  auto result = client(300ms).list_room("call-1", now_s());
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error, "livekit: timed out");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(standin_.requests("ListRooms"), 1);
}

TEST_F(RoomServiceClientTest, HttpsToAPlainServerFailsItsHandshake) {
  auto url = "https://127.0.0.1:" + std::to_string(standin_.port());
  auto started = std::chrono::steady_clock::now();
  auto result = RoomServiceClient(url, kKey, kSecret, 2s).list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error.rfind("livekit: tls handshake: ", 0), 0u) << result.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

// ---- https --------------------------------------------------------------------

// A client whose trust store (OpenSSL's default paths, read when the client
// is made) holds just `trusted`, through SSL_CERT_FILE.
RoomServiceClient client_trusting(const TlsIdentity& trusted, const std::string& url) {
  auto file = std::filesystem::temp_directory_path() / ("room_service_ca." + std::to_string(::getpid()) + ".pem");
  std::ofstream(file) << trusted.certificate_pem;
  const char* before = std::getenv("SSL_CERT_FILE");
  std::optional<std::string> saved = before ? std::optional<std::string>(before) : std::nullopt;
  ::setenv("SSL_CERT_FILE", file.c_str(), 1);
  RoomServiceClient client(url, kKey, kSecret, 5s);
  saved ? ::setenv("SSL_CERT_FILE", saved->c_str(), 1) : ::unsetenv("SSL_CERT_FILE");
  std::filesystem::remove(file);
  return client;
}

class RoomServiceClientTlsTest : public ::testing::Test {
 protected:
  RoomServiceClientTlsTest() { standin_.set_room("call-1", "RM_tls", {{"PA_1", "alice"}}); }

  std::string url(const std::string& scheme, const std::string& host) const {
    return scheme + "://" + host + ":" + std::to_string(standin_.port());
  }

  TlsIdentity identity_ = make_self_signed_certificate("localhost", {"DNS:localhost", "IP:127.0.0.1"});
  RoomServiceStandIn standin_{kKey, kSecret, identity_};
};

TEST_F(RoomServiceClientTlsTest, TrustedCertificateForTheNameOrAddress) {
  for (const auto& target : {url("https", "127.0.0.1"), url("wss", "localhost")}) {
    auto result = client_trusting(identity_, target).list_room("call-1", now_s());
    ASSERT_TRUE(result.listing) << target << ": " << result.error;
    EXPECT_EQ(result.listing->room_sid, "RM_tls");
    EXPECT_EQ(present(result), (std::vector<std::string>{"PA_1/alice"}));
  }
}

TEST_F(RoomServiceClientTlsTest, RefusesACertificateItDoesNotTrust) {
  auto stranger = make_self_signed_certificate("localhost", {"DNS:localhost", "IP:127.0.0.1"});
  auto result = client_trusting(stranger, url("https", "127.0.0.1")).list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error.rfind("livekit: tls handshake: certificate verify failed", 0), 0u) << result.error;
  EXPECT_EQ(standin_.requests("ListRooms"), 0);
}

TEST_F(RoomServiceClientTlsTest, RefusesATrustedCertificateForAnotherName) {
  auto other = make_self_signed_certificate("other.example", {"DNS:other.example"});
  RoomServiceStandIn elsewhere(kKey, kSecret, other);
  auto target = "https://localhost:" + std::to_string(elsewhere.port());
  auto result = client_trusting(other, target).list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error.rfind("livekit: tls handshake: certificate verify failed", 0), 0u) << result.error;
  EXPECT_EQ(elsewhere.requests("ListRooms"), 0);
}

TEST(RoomServiceClient, RefusedConnectionIsAnError) {
  unsigned short port = 0;
  {
    boost::asio::io_context io;  // a port that was free a moment ago
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  auto result = RoomServiceClient("ws://127.0.0.1:" + std::to_string(port), kKey, kSecret, 2s).list_room("call-1", now_s());
  EXPECT_FALSE(result.listing);
  EXPECT_EQ(result.error.rfind("livekit: connect: ", 0), 0u) << result.error;
}

TEST(RoomServiceClient, RefusesUnusableConfiguration) {
  EXPECT_THROW(RoomServiceClient("livekit.local", kKey, kSecret), std::invalid_argument);
  EXPECT_THROW(RoomServiceClient("http://h", "", kSecret), std::invalid_argument);
  EXPECT_THROW(RoomServiceClient("http://h", kKey, ""), std::invalid_argument);
  EXPECT_THROW(RoomServiceClient("http://h", kKey, kSecret, 0ms), std::invalid_argument);
  EXPECT_NO_THROW(RoomServiceClient("wss://example.livekit.cloud", kKey, kSecret));
}

}  // namespace
