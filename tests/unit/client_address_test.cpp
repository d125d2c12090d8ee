// Per-address limits behind a proxy: the client's address is read from
// Forwarded / X-Forwarded-For only when the peer is a trusted proxy, and
// from the right, past every trusted hop.
#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace http_client = session_clock::worker::http_client;
using boost::asio::ip::make_address;

namespace {

std::string from(const char* peer, std::string_view forwarded, std::string_view xff,
                 const http_client::TrustedProxies& trusted) {
  return http_client::client_address(make_address(peer), forwarded, xff, trusted);
}

}  // namespace

TEST(ClientAddress, WithoutTrustedProxiesTheHeadersAreIgnored) {
  http_client::TrustedProxies none;
  EXPECT_EQ(from("203.0.113.7", "for=198.51.100.1", "198.51.100.2", none), "203.0.113.7");
  EXPECT_EQ(from("::ffff:203.0.113.7", "", "", none), "203.0.113.7");  // a v4 client on a v6 socket
}

TEST(ClientAddress, AnUntrustedPeerCannotClaimAnotherAddress) {
  http_client::TrustedProxies trusted({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(from("203.0.113.7", "", "198.51.100.2", trusted), "203.0.113.7");
}

TEST(ClientAddress, XForwardedForIsReadFromTheRightPastTrustedHops) {
  http_client::TrustedProxies trusted({"127.0.0.1", "10.0.0.0/8"});
  // The client wrote "1.1.1.1" itself; nginx (10.0.0.5) appended what it saw.
  EXPECT_EQ(from("127.0.0.1", "", "1.1.1.1, 198.51.100.9, 10.0.0.5", trusted), "198.51.100.9");
  EXPECT_EQ(from("127.0.0.1", "", "198.51.100.9", trusted), "198.51.100.9");
  EXPECT_EQ(from("127.0.0.1", "", "198.51.100.9:5123", trusted), "198.51.100.9");
  // All hops trusted: the left-most one is the client.
  EXPECT_EQ(from("127.0.0.1", "", "10.1.2.3, 10.0.0.5", trusted), "10.1.2.3");
  // No header: the proxy itself.
  EXPECT_EQ(from("127.0.0.1", "", "", trusted), "127.0.0.1");
}

TEST(ClientAddress, ForwardedIsPreferredAndItsForms) {
  http_client::TrustedProxies trusted({"::1", "127.0.0.0/8"});
  EXPECT_EQ(from("::1", "for=192.0.2.60;proto=http;by=203.0.113.43", "198.51.100.2", trusted), "192.0.2.60");
  EXPECT_EQ(from("::1", R"(for="[2001:db8:cafe::17]:4711")", "", trusted), "2001:db8:cafe::17");
  EXPECT_EQ(from("::1", "For=192.0.2.43, for=127.0.0.2", "", trusted), "192.0.2.43");
  // A hop the proxy cannot name is a key of its own, never the proxy.
  EXPECT_EQ(from("::1", "for=unknown", "", trusted), "unknown");
  EXPECT_EQ(from("::1", "for=_hidden, for=127.0.0.3", "", trusted), "_hidden");
}

TEST(ClientAddress, NetworksAreChecked) {
  http_client::TrustedProxies trusted({"192.168.0.0/16", "fd00::/8"});
  EXPECT_TRUE(trusted.contains(make_address("192.168.44.1")));
  EXPECT_FALSE(trusted.contains(make_address("192.169.0.1")));
  EXPECT_TRUE(trusted.contains(make_address("fd12::1")));
  EXPECT_TRUE(trusted.contains(make_address("::ffff:192.168.1.1")));
  EXPECT_THROW(http_client::TrustedProxies({"10.0.0.0/33"}), std::invalid_argument);
  EXPECT_THROW(http_client::TrustedProxies({"nginx"}), std::invalid_argument);
  EXPECT_THROW(http_client::TrustedProxies({"10.0.0.0/x"}), std::invalid_argument);
}

TEST(ClientAddress, LimitsCountAnIpv6ClientByItsSlash64) {
  EXPECT_EQ(http_client::limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(http_client::limit_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(http_client::limit_key("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(http_client::limit_key("unknown"), "unknown");
}
