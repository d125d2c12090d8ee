// One clock: workers whose own clocks are wrong serve the database's time.
//
// Each worker here runs under libfaketime (Debian's `faketime`, LD_PRELOAD):
// its wall clock shifted by ±2.5 s with the monotonic clock left alone, or
// shifted and running 200 ppm fast with the monotonic clock running fast too
// (a host whose oscillator is off). The database is not faked. The test
// process is not faked either and runs on the database's host, so its own
// wall clock *is* the database's clock_timestamp() (the same kernel clock;
// TheTestsClockIsTheDatabases checks that premise): every served time is
// judged against it directly.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "presence_suite.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

constexpr const char* kLibFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

// libfaketime's environment: `spec` as FAKETIME ("+2.5", "+2.5 x1.0002");
// the monotonic clock is left alone unless fake_monotonic.
std::vector<std::string> faketime(const std::string& spec, bool fake_monotonic) {
  std::vector<std::string> env = {std::string("LD_PRELOAD=") + kLibFaketime, "FAKETIME=" + spec,
                                  "FAKETIME_NO_CACHE=1"};
  if (!fake_monotonic) env.push_back("FAKETIME_DONT_FAKE_MONOTONIC=1");
  return env;
}

json healthz(const t::WorkerProcess& w) {
  auto [status, body] = t::http_request(w.port(), "GET", "/healthz");
  auto j = json::parse(body, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

// Until the worker has read the database's clock (its first burst).
bool wait_measured(const t::WorkerProcess& w, milliseconds timeout = milliseconds(8000)) {
  for (auto deadline = steady_clock::now() + timeout; steady_clock::now() < deadline;) {
    auto h = healthz(w);
    if (h.contains("databaseClock") && h["databaseClock"]["measured"] == true) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// One TIME_PING exchange, stamped on this process's wall clock (the
// database's): the served time's offset from the database's clock lies
// within offset ± delay / 2.
struct Exchange {
  double offset;  // served time − database time, by NTP's formula
  double delay;
  double max_error_ms;  // what the worker says about its own stamps
  bool sync_warning;
};

Exchange ping(t::WsClient& ws, int id) {
  double t1 = wall_ms();
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", t1}, {"pingId", id}});
  auto pong = ws.receive_type("TIME_PONG");
  double t4 = wall_ms();
  EXPECT_TRUE(pong);
  if (!pong) return {NAN, NAN, NAN, true};
  double t2 = (*pong)["serverReceiveMs"].get<double>(), t3 = (*pong)["serverSendMs"].get<double>();
  return {((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2),
          (*pong)["maxErrorMs"].is_number() ? (*pong)["maxErrorMs"].get<double>() : INFINITY,
          (*pong)["syncWarning"].get<bool>()};
}

// The lowest-delay exchange of n: the client's best estimate of the offset.
Exchange best_of(t::WsClient& ws, int n) {
  Exchange best{NAN, INFINITY, NAN, true};
  for (int i = 0; i < n; ++i) {
    auto x = ping(ws, i);
    if (x.delay < best.delay) best = x;
  }
  return best;
}

std::unique_ptr<t::WsClient> signed_in(unsigned short port, const std::string& user) {
  auto ws = std::make_unique<t::WsClient>(port);
  ws->send({{"t", "AUTH"}, {"token", t::make_token(user, "authenticated", 600)}});
  EXPECT_TRUE(ws->receive_type("AUTH_OK"));
  return ws;
}

class DatabaseClockTest : public t::PresenceSuite {
 protected:
  void SetUp() override {
    PresenceSuite::SetUp();
    // A missing library would only show as a worker whose clock is right.
    if (access(kLibFaketime, R_OK) != 0) FAIL() << kLibFaketime << " is missing: scripts/install-deps.sh (faketime)";
  }
  std::unique_ptr<t::WorkerProcess> faked_worker(const std::string& spec, bool fake_monotonic,
                                                 std::vector<std::string> args = {}) {
    auto w = start_worker(std::move(args), faketime(spec, fake_monotonic));
    EXPECT_TRUE(wait_measured(*w)) << "never measured the database's clock\n" << w->log();
    return w;
  }
};

TEST_F(DatabaseClockTest, TheTestsClockIsTheDatabases) {
  pqxx::connection c(cluster_->url());
  pqxx::nontransaction tx(c);
  double best = INFINITY, offset = NAN;
  for (int i = 0; i < 20; ++i) {
    double t1 = wall_ms();
    auto db = tx.exec1("SELECT extract(epoch FROM clock_timestamp()) * 1000")[0].as<double>();
    double t4 = wall_ms();
    if (t4 - t1 < best) best = t4 - t1, offset = db - (t1 + t4) / 2;
  }
  EXPECT_LT(std::abs(offset), 0.5 + best / 2) << "this test's premise: one host, one clock";
}

// Without the fix the pong is the worker's wall clock: 2,500 ms off.
TEST_F(DatabaseClockTest, WorkersWithShiftedWallClocksServeTheDatabasesTime) {
  worker_ = faked_worker("+2.5", false);
  second_ = faked_worker("-2.5", false);
  t::WsClient ahead(worker_->port()), behind(second_->port());
  auto a = best_of(ahead, 32), b = best_of(behind, 32);
  std::cout << "[ figures ] shifted +2.5 s: served − database " << a.offset << " ms (delay " << a.delay
            << " ms, worker says ± " << a.max_error_ms << " ms); shifted −2.5 s: " << b.offset << " ms (delay "
            << b.delay << " ms, ± " << b.max_error_ms << " ms)\n";
  // A client's now() agrees with clock_timestamp() within 1 ms on loopback,
  // so the two workers agree with each other within 2 ms at worst.
  EXPECT_LT(std::abs(a.offset), 1.0);
  EXPECT_LT(std::abs(b.offset), 1.0);
  EXPECT_LT(std::abs(a.offset - b.offset), 1.0);
  EXPECT_FALSE(a.sync_warning);
  EXPECT_LT(a.max_error_ms, 1.0);
  // And the worker's own stamps stay within the bound it states.
  EXPECT_LE(std::abs(a.offset), a.max_error_ms + a.delay / 2 + 0.05);

  // /healthz: the measured difference, with its bound; ok.
  auto h = healthz(*worker_);
  std::cout << "[ figures ] /healthz databaseClock of the +2.5 s worker: " << h["databaseClock"].dump() << "\n";
  EXPECT_EQ(h["status"], "ok") << h.dump();
  EXPECT_NEAR(h["databaseClock"]["offsetMs"].get<double>(), -2500, 30) << h.dump();
  EXPECT_NEAR(healthz(*second_)["databaseClock"]["offsetMs"].get<double>(), 2500, 30);
  EXPECT_LT(h["databaseClock"]["errorMs"].get<double>(), 5.0);
  EXPECT_NEAR(h["databaseClock"]["measuredAt"].get<double>(), wall_ms(), 3000);
  EXPECT_NEAR(h["serverNowMs"].get<double>(), wall_ms(), 50);

  // The other dialects and the time feed are the database's time too.
  t::WsClient legacy(worker_->port());
  double sent = wall_ms();
  legacy.send({{"event", "time_sync.request"}, {"sequence", 1}, {"client_send", sent}});
  auto response = legacy.receive();
  ASSERT_TRUE(response);
  EXPECT_NEAR((*response)["server_receive"].get<double>(), sent, 20);
  auto [status, rpc] = t::http_request(worker_->port(), "POST", "/timesync", R"({"jsonrpc":"2.0","id":1,"method":"timesync"})");
  EXPECT_NEAR(json::parse(rpc)["result"].get<double>(), wall_ms(), 50);
  t::WsClient feed(worker_->port(), "/ws/time/");
  ASSERT_TRUE(feed.receive_type("time_update"));  // the one sent at once
  auto tick = feed.receive_type("time_update", milliseconds(2500));
  double arrived = wall_ms();
  ASSERT_TRUE(tick);
  // Sent on the database's second boundary, naming that second.
  EXPECT_NEAR(arrived, (*tick)["timestamp_ms"].get<double>(), 50);

  // /metrics shows it.
  auto [mstatus, metrics] = t::http_request(worker_->port(), "GET", "/metrics");
  auto gauge = [&metrics = metrics](const std::string& name) {
    auto at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? NAN : std::stod(metrics.substr(at + name.size() + 2));
  };
  EXPECT_NEAR(gauge("session_clock_database_clock_offset_seconds"), -2.5, 0.03) << metrics;
  EXPECT_LT(gauge("session_clock_database_clock_error_seconds"), 0.005) << metrics;
}

// A host whose clock runs 200 ppm fast, both its wall and its monotonic
// clock: the offset drifts by 0.2 ms every second, and every measurement
// round catches it up; the stated bound (drift 500 ppm) always covers it.
TEST_F(DatabaseClockTest, AWorkerWhoseClockRunsFastStaysWithinItsBound) {
  worker_ = faked_worker("+2.5 x1.0002", true);
  t::WsClient ws(worker_->port());
  double worst = 0, worst_bound_excess = -INFINITY, worst_stated = 0;
  int checked = 0;
  for (auto until = steady_clock::now() + seconds(5); steady_clock::now() < until;) {
    auto x = best_of(ws, 4);
    worst = std::max(worst, std::abs(x.offset));
    worst_stated = std::max(worst_stated, x.max_error_ms);
    worst_bound_excess = std::max(worst_bound_excess, std::abs(x.offset) - (x.max_error_ms + x.delay / 2));
    ++checked;
    std::this_thread::sleep_for(milliseconds(247));  // 16 pings a second: within the worker's rate limit (20)
  }
  std::cout << "[ figures ] +200 ppm: worst |served − database| " << worst << " ms over " << checked
            << " checks in 5 s; worst stated bound " << worst_stated << " ms\n";
  EXPECT_LT(worst, 1.0);
  EXPECT_LE(worst_bound_excess, 0.05) << "the served time left its stated bound";
  EXPECT_EQ(healthz(*worker_)["status"], "ok");
}

// CLOCK_STATE's serverNowMs is the database's, so the elapsed time a client
// derives from it is what session_clock_get() bills.
TEST_F(DatabaseClockTest, AFollowedTimerAgreesWithSessionClockGet) {
  worker_ = faked_worker("+2.5", false);
  auto id = new_session();
  auto alice = signed_in(worker_->port(), "alice");
  alice->send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto state = alice->receive_type("CLOCK_STATE");
  ASSERT_TRUE(state);
  pqxx::connection c(cluster_->url());
  pqxx::nontransaction tx(c);
  auto row = tx.exec1("SELECT elapsed_ms::float8, extract(epoch FROM server_now)::float8 * 1000 FROM session_clock_get('" +
                      id + "')");
  double billed = row[0].as<double>(), at = row[1].as<double>();
  // The client's elapsedMs() at the database's `at`: running, so it advances at rate 1.
  double derived = (*state)["elapsedMs"].get<double>() + (at - (*state)["serverNowMs"].get<double>());
  std::cout << "[ figures ] elapsed from CLOCK_STATE − session_clock_get: " << derived - billed << " ms\n";
  EXPECT_NEAR(derived, billed, 1.0);
}

// PLAY_AT fires at startAtServerMs by the database's clock, not 2.5 s early.
TEST_F(DatabaseClockTest, PlayAtReachesMembersAtTheStartByTheDatabasesClock) {
  worker_ = faked_worker("+2.5", false);
  second_ = faked_worker("-2.5", false);
  auto host = signed_in(worker_->port(), "hana");
  host->send({{"t", "CREATE_ROOM"}});
  auto room = host->receive_type("ROOM_STATE");
  ASSERT_TRUE(room);
  auto guest = signed_in(second_->port(), "ivo");
  guest->send({{"t", "JOIN_ROOM"}, {"code", (*room)["code"]}});
  ASSERT_TRUE(guest->receive_type("ROOM_STATE"));
  double sent = wall_ms();
  host->send({{"t", "HOST_PLAY"}, {"trackUrl", "https://media.test/a.mp3"}, {"title", "A"}, {"filename", "a.mp3"},
              {"startPositionSec", 0}});
  auto prepare = host->receive_type("PREPARE_PLAY");
  ASSERT_TRUE(prepare);
  double start = (*prepare)["startAtServerMs"].get<double>();
  EXPECT_NEAR(start - sent, 1200, 150);  // now + the default lead, by the database's clock
  for (auto* ws : {host.get(), guest.get()}) {
    auto play = ws->receive_type("PLAY_AT", milliseconds(4000));
    double at = wall_ms();
    ASSERT_TRUE(play);
    std::cout << "[ figures ] PLAY_AT arrived " << at - start << " ms after startAtServerMs\n";
    EXPECT_GE(at, start - 1) << "PLAY_AT early by the database's clock";
    EXPECT_LE(at, start + 50);
  }
}

// The grace rule runs in the database; a shifted worker must still apply the
// deadline on time and show the pause as the database dated it.
TEST_F(DatabaseClockTest, GracePausesStayDatedAtTheirDeadlines) {
  worker_ = faked_worker("-2.5", false);
  auto id = new_session();
  t::Participant alice(worker_->port(), "alice", id);
  ASSERT_TRUE(alice.ws().receive_type("CLOCK_STATE"));
  {
    t::Participant bob(worker_->port(), "bob", id);
    ASSERT_TRUE(participants_are(id, 2));
    require_two(id);
    bob.ws().send({{"t", "LEAVE_SESSION"}, {"sessionId", id}});
    ASSERT_TRUE(bob.ws().receive_type("LEFT"));
  }
  ASSERT_TRUE(t::eventually([&] { return column(id, "is_paused") == "t"; }));
  EXPECT_EQ(cluster_->sql("SELECT p.at = g.deadline_at FROM session_clock.session_events p, "
                          "(SELECT deadline_at FROM session_clock.session_events WHERE session_id = '" + id +
                          "' AND event = 'grace_start' ORDER BY version DESC LIMIT 1) g "
                          "WHERE p.session_id = '" + id + "' AND p.event = 'pause'"),
            "t");
  auto deadline_ms = std::stod(cluster_->sql(
      "SELECT extract(epoch FROM deadline_at) * 1000 FROM session_clock.session_events WHERE session_id = '" + id +
      "' AND event = 'grace_start' ORDER BY version DESC LIMIT 1"));
  auto paused = alice.ws().receive_type("CLOCK_STATE");
  for (int i = 0; paused && (*paused)["isPaused"] != true && i < 10; ++i) paused = alice.ws().receive_type("CLOCK_STATE");
  ASSERT_TRUE(paused);
  EXPECT_NEAR((*paused)["lastStateChangeAtMs"].get<double>(), deadline_ms, 0.001);
  // Stamped after the deadline by the database's clock, not 2.5 s before it;
  // and frozen at what session_clock_get() bills.
  double stamped = (*paused)["serverNowMs"].get<double>();
  EXPECT_GE(stamped, deadline_ms);
  EXPECT_LE(stamped, wall_ms() + 1);
  EXPECT_NEAR((*paused)["elapsedMs"].get<double>(),
              std::stod(cluster_->sql("SELECT elapsed_ms FROM session_clock_get('" + id + "')")), 0.001);
}

// The database stops answering (every process of the cluster stopped with
// SIGSTOP): the worker keeps serving time from its last offset, its bound
// grows at the drift rate, and /healthz turns degraded once the bound
// passes the threshold; when the database answers again, so is the bound.
TEST_F(DatabaseClockTest, WithoutTheDatabaseTheBoundGrowsAndHealthSaysSo) {
  worker_ = faked_worker("+2.5", false, {"--database-clock-drift-ppm", "5000", "--database-clock-max-error-ms", "3"});
  t::WsClient ws(worker_->port());
  ASSERT_EQ(healthz(*worker_)["status"], "ok");
  std::ifstream pidfile(cluster_->dir() + "/pg/data/postmaster.pid");
  pid_t postmaster = 0;
  pidfile >> postmaster;
  ASSERT_GT(postmaster, 0);
  auto signal_cluster = [&](int sig) {
    // The postmaster and its children (backends, background processes): the
    // processes this suite's cluster started, by pid.
    std::ifstream children("/proc/" + std::to_string(postmaster) + "/task/" + std::to_string(postmaster) + "/children");
    for (pid_t child; children >> child;) kill(child, sig);
    kill(postmaster, sig);
  };
  signal_cluster(SIGSTOP);
  std::this_thread::sleep_for(milliseconds(1500));
  auto during = healthz(*worker_);
  auto x = best_of(ws, 8);
  signal_cluster(SIGCONT);
  std::cout << "[ figures ] database stopped 1.5 s: served − database " << x.offset << " ms, stated ± "
            << x.max_error_ms << " ms; /healthz " << during["databaseClock"].dump() << "\n";
  EXPECT_EQ(during["status"], "degraded") << during.dump();
  EXPECT_EQ(during["databaseClock"]["withinBound"], false);
  EXPECT_GT(during["databaseClock"]["ageMs"].get<double>(), 1000);
  EXPECT_TRUE(x.sync_warning);
  EXPECT_GT(x.max_error_ms, 3.0);
  EXPECT_LT(std::abs(x.offset), 1.0);  // still the database's time, from the last offset
  EXPECT_TRUE(t::eventually([&] { return healthz(*worker_)["status"] == "ok"; }, milliseconds(8000)));
}

}  // namespace
