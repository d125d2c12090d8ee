#include "db/channel.hpp"

#include "core/notification.hpp"
#include "db/pool.hpp"

namespace session_clock::worker::db {
namespace {

struct Outcome {
  std::string error;
};

}  // namespace

void notify(Pool& pool, std::string payload, std::function<void(std::string)> done) {
  pool.run<Outcome>([done = std::move(done)](Outcome o) { done(o.error); },
                    [payload = std::move(payload)](pqxx::connection& c, Outcome&) {
                      pqxx::nontransaction tx(c);
                      tx.exec_params("SELECT pg_notify($1, $2)", std::string(core::kNotifyChannel), payload);
                    });
}

}  // namespace session_clock::worker::db
