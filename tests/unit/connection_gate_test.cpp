// Places for sockets: the caps a descriptor limit gives, and who gets a
// place, a spare one or none.
#include "limits/connection_gate.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace limits = session_clock::worker::limits;
using Ticket = limits::ConnectionGate::Ticket;

TEST(ConnectionCaps, FollowTheDescriptorLimitAndRefuseWhatItCannotHold) {
  std::string error;
  auto derived = limits::connection_caps(0, 0, 1024, error);
  ASSERT_TRUE(derived);
  EXPECT_EQ(derived->total, 924u);
  EXPECT_EQ(derived->per_address, 462u);  // one address never gets everything
  EXPECT_EQ(derived->spare, limits::kSpareConnections);
  auto explicit_caps = limits::connection_caps(500, 2000, 1024, error);
  ASSERT_TRUE(explicit_caps);
  EXPECT_EQ(explicit_caps->per_address, 500u);  // never more than the total
  EXPECT_FALSE(limits::connection_caps(925, 0, 1024, error));
  EXPECT_NE(error.find("at least 1025"), std::string::npos) << error;
  EXPECT_FALSE(limits::connection_caps(0, 0, 64, error));  // no room at all
}

TEST(ConnectionGate, PerAddressThenSpareThenNone) {
  limits::ConnectionGate gate({4, 2, 4});  // spare: 1 per address
  std::vector<Ticket> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(gate.admit_socket("10.0.0.1"));
    ASSERT_TRUE(held.back());
    EXPECT_FALSE(held.back().spare());
  }
  auto spare = gate.admit_socket("10.0.0.1");
  ASSERT_TRUE(spare);
  EXPECT_TRUE(spare.spare());
  EXPECT_FALSE(gate.admit_socket("10.0.0.1"));  // its spare share taken
  auto other = gate.admit_socket("10.0.0.2");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other.spare());
  held.pop_back();  // a place given back is taken again
  auto again = gate.admit_socket("10.0.0.1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again.spare());
}

TEST(ConnectionGate, TheTotalCapsEveryoneAndAProxysSocketsCountOnlyThere) {
  limits::ConnectionGate gate({3, 3, 2});
  std::vector<Ticket> held;
  for (int i = 0; i < 3; ++i) held.push_back(gate.admit_socket(""));  // a trusted proxy's
  auto over = gate.admit_socket("10.0.0.9");
  ASSERT_TRUE(over);
  EXPECT_TRUE(over.spare());  // status pages only
  // Its clients are counted as they upgrade, each by its own address.
  limits::ConnectionGate clients({100, 2, 0});
  auto a = clients.admit_client("203.0.113.7");
  auto b = clients.admit_client("203.0.113.7");
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(clients.admit_client("203.0.113.7"));
  EXPECT_TRUE(clients.admit_client("203.0.113.8"));
  Ticket moved = std::move(a);  // moving keeps the one place
  EXPECT_FALSE(clients.admit_client("203.0.113.7"));
  moved = Ticket();
  EXPECT_TRUE(clients.admit_client("203.0.113.7"));
}
