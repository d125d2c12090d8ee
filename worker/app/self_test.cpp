#include "app/self_test.hpp"

#include <random>
#include <spdlog/spdlog.h>
#include <sstream>

#include "db/channel.hpp"

namespace session_clock::worker {

namespace {

std::string random_nonce() {
  std::random_device rd;
  std::ostringstream o;
  o << std::hex << rd() << rd();
  return o.str();
}

}  // namespace

SelfTest::SelfTest(boost::asio::io_context& io, db::Pool& pool, std::function<void()> fail)
    : timer_(io), pool_(pool), fail_(std::move(fail)), nonce_("selftest-" + random_nonce()) {}

void SelfTest::start() {
  db::notify(pool_, nonce_, [self = shared_from_this()](std::string error) {
    if (!error.empty()) {
      spdlog::warn("self-test: cannot send NOTIFY ({}); will try again after the next reconnect", error);
      return;
    }
    self->timer_.expires_after(kTimeout);
    self->timer_.async_wait([self](boost::system::error_code ec) {
      if (ec || self->passed_) return;
      spdlog::critical(
          "self-test failed: a NOTIFY did not reach the LISTEN connection within {} s. A transaction-mode "
          "pooler (e.g. PgBouncer pool_mode=transaction) silently breaks LISTEN: connect the worker to "
          "PostgreSQL directly or through a session-mode pool (Supabase: the session pooler on port 5432, "
          "never the transaction pooler on port 6543).",
          kTimeout.count());
      self->fail_();
    });
  });
}

void SelfTest::on_payload(const std::string& payload) {
  if (payload == nonce_ && !passed_.exchange(true)) spdlog::info("self-test passed: NOTIFY reaches the listener");
}

}  // namespace session_clock::worker
