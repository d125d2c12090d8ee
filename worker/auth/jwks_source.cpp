#include "auth/jwks_source.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <fstream>
#include <iterator>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "livekit/http_post.hpp"
#include "livekit/service_url.hpp"

namespace session_clock::worker::auth {

namespace {

constexpr auto kFetchTimeout = std::chrono::seconds(5);

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

JwksSource::JwksSource(std::string where, Load load, bool required, Clock::duration min_interval)
    : where_(std::move(where)), load_(std::move(load)), min_interval_(min_interval) {
  try {
    keys_ = std::make_shared<const JwkSet>(JwkSet::parse(load_()));
    reads_ = 1;
  } catch (const std::exception& e) {
    reads_ = 1;
    if (required) throw std::invalid_argument(where_ + ": " + e.what());
    spdlog::error("JWKS {}: {}; tokens signed with its keys are refused until it can be read", where_, e.what());
  }
  if (keys_)
    for (const auto& skipped : keys_->skipped()) spdlog::warn("JWKS {}: key {} skipped", where_, skipped);
  thread_ = std::thread([this] { run(); });
}

JwksSource::~JwksSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::shared_ptr<const Jwk> JwksSource::find(const std::string& kid) const {
  std::lock_guard lock(mutex_);
  if (keys_)
    if (auto key = keys_->find(kid)) return key;
  auto now = Clock::now();
  if (!wanted_ && (!last_read_ || now - *last_read_ >= min_interval_)) {
    last_read_ = now;
    wanted_ = true;
    wake_.notify_one();
  }
  return nullptr;
}

std::uint64_t JwksSource::reads() const {
  std::lock_guard lock(mutex_);
  return reads_;
}

bool JwksSource::read() {
  try {
    auto keys = std::make_shared<const JwkSet>(JwkSet::parse(load_()));
    for (const auto& skipped : keys->skipped()) spdlog::warn("JWKS {}: key {} skipped", where_, skipped);
    spdlog::info("JWKS {}: {} keys", where_, keys->size());
    std::lock_guard lock(mutex_);
    keys_ = std::move(keys);
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("JWKS {}: cannot read it again ({}); keeping the keys it had", where_, e.what());
    return false;
  }
}

void JwksSource::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    ++reads_;
    lock.unlock();
    read();
    lock.lock();
    wanted_ = false;
  }
}

JwksSource::Load jwks_file_loader(const std::string& path) {
  return [path] {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the file");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text;
  };
}

JwksSource::Load jwks_url_loader(const std::string& url) {
  livekit::ServiceUrl parsed;
  try {
    parsed = livekit::parse_service_url(url);  // the same URL rules as LiveKit's
  } catch (const std::invalid_argument& e) {
    std::string why = e.what();
    throw std::invalid_argument("JWKS URL: " + why.substr(why.find(':') + 2));
  }
  if (!parsed.tls && !is_loopback(parsed.host))
    throw std::invalid_argument("a JWKS URL must be https (http only on a loopback host): " + url);
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (parsed.tls) {
    tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    tls->set_default_verify_paths();
  }
  return [parsed, tls] {
    livekit::HttpPost get{parsed.path_prefix.empty() ? "/" : parsed.path_prefix, "", "", JwkSet::kMaxDocumentBytes};
    get.method = "GET";
    auto outcome = livekit::post_json(parsed, tls.get(), get, std::chrono::steady_clock::now() + kFetchTimeout);
    if (!outcome.reply) throw std::runtime_error(outcome.error);
    if (outcome.reply->status != 200) throw std::runtime_error("HTTP " + std::to_string(outcome.reply->status));
    return std::move(outcome.reply->body);
  };
}

}  // namespace session_clock::worker::auth
