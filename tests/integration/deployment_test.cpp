// What an operator meets: --version, JSON logs, and the start-up check that
// the database has session_clock at a version this worker speaks (exit
// status 4 and what to run, instead of failing query by query).
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "harness.hpp"

namespace t = session_clock::testing;
using namespace std::chrono;

namespace {

class DeploymentTest : public t::ClusterSuite {
 protected:
  void TearDown() override { print_logs_on_failure({worker_.get()}); }

  // A new database of the cluster, with the extension at `version` ("" for none).
  static std::string database_with(const std::string& name, const std::string& version) {
    cluster_->sql("CREATE DATABASE " + name);
    auto url = cluster_->url();
    url = url.substr(0, url.rfind('/') + 1) + name;
    if (!version.empty()) {
      pqxx::connection c(url);
      pqxx::nontransaction tx(c);
      tx.exec("CREATE EXTENSION session_clock VERSION '" + version + "'");
    }
    return url;
  }

  std::unique_ptr<t::WorkerProcess> worker_;
};

TEST_F(DeploymentTest, VersionPrintsTheProjectVersionAndCommit) {
  std::string out;
  FILE* pipe = popen((std::string(SESSION_CLOCK_WORKER_BINARY) + " --version").c_str(), "r");
  ASSERT_TRUE(pipe);
  char buf[256];
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0);
  std::ifstream version_file(std::string(SESSION_CLOCK_SOURCE_DIR) + "/VERSION");
  std::string version;
  version_file >> version;
  EXPECT_EQ(out.rfind("session-clock-worker " + version + " (commit ", 0), 0u) << out;
  EXPECT_EQ(out.find("(commit unknown)"), std::string::npos) << out;
}

TEST_F(DeploymentTest, JsonLogsAreOneObjectPerLine) {
  // The harness parses every line as JSON for this worker, as logfmt for the others.
  worker_ = std::make_unique<t::WorkerProcess>(cluster_->url(), std::vector<std::string>{"--log-format", "json"});
  ASSERT_TRUE(worker_->wait_listening());
  t::WsClient ws(worker_->port());
  ws.send_raw("{not json");
  EXPECT_TRUE(ws.receive_type("ERROR"));
  EXPECT_NE(worker_->log().find("\"msg\":\"listening on http://127.0.0.1:"), std::string::npos) << worker_->log();
}

TEST_F(DeploymentTest, WithoutTheExtensionTheWorkerSaysWhatToRunAndExits) {
  worker_ = std::make_unique<t::WorkerProcess>(database_with("no_extension", ""));
  EXPECT_EQ(worker_->wait_exit(seconds(20)), 4);
  EXPECT_NE(worker_->log().find("CREATE EXTENSION session_clock"), std::string::npos) << worker_->log();
}

TEST_F(DeploymentTest, AnOlderExtensionIsRefusedUntilUpdated) {
  auto url = database_with("older_extension", "1.2");
  worker_ = std::make_unique<t::WorkerProcess>(url);
  EXPECT_EQ(worker_->wait_exit(seconds(20)), 4);
  auto log = worker_->log();
  EXPECT_NE(log.find("session_clock extension 1.2"), std::string::npos) << log;
  EXPECT_NE(log.find("ALTER EXTENSION session_clock UPDATE"), std::string::npos) << log;

  {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec("ALTER EXTENSION session_clock UPDATE");
  }
  worker_ = std::make_unique<t::WorkerProcess>(url);
  ASSERT_TRUE(worker_->wait_listening());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(worker_->wait_exit(seconds(1)), -1);  // still running
  EXPECT_NE(worker_->log().find("database: the session_clock extension 1.3"), std::string::npos) << worker_->log();
}

}  // namespace
