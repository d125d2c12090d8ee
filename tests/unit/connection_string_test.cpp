#include "db/connection_string.hpp"

#include <gtest/gtest.h>

using session_clock::worker::db::with_connection_defaults;

TEST(ConnectionString, AddsKeepalivesAndTimeoutsToUrls) {
  auto s = with_connection_defaults("postgresql://u@127.0.0.1:5432/app");
  EXPECT_EQ(s.rfind("postgresql://u@127.0.0.1:5432/app?connect_timeout=5&keepalives=1&", 0), 0u) << s;
  EXPECT_NE(s.find("&tcp_user_timeout=30000"), std::string::npos);
}

TEST(ConnectionString, ExtendsAnExistingQueryAndKeepsTheUsersChoices) {
  auto s = with_connection_defaults("postgres://h/db?sslmode=require&keepalives_idle=5");
  EXPECT_NE(s.find("?sslmode=require&keepalives_idle=5&connect_timeout=5"), std::string::npos) << s;
  EXPECT_EQ(s.find("keepalives_idle=30"), std::string::npos) << s;
}

TEST(ConnectionString, KeyValueForm) {
  auto s = with_connection_defaults("host=/tmp dbname=app connect_timeout = 2");
  EXPECT_EQ(s.rfind("host=/tmp dbname=app connect_timeout = 2 keepalives=1", 0), 0u) << s;
  EXPECT_EQ(s.find("connect_timeout=5"), std::string::npos) << s;
  EXPECT_EQ(with_connection_defaults("").rfind("connect_timeout=5 keepalives=1", 0), 0u);
}
