// The JWKS the worker verifies tokens against (--jwks-url, --jwks-file),
// kept current without a restart: read at start, and read again when a
// token names a kid it does not know (a key was rotated in), at most once
// every kMinRefetchInterval however many such tokens come, so unknown kids
// cannot make it hammer the issuer. The read runs on a thread of its own:
// verification never waits on the network, so the token that named the new
// kid is refused ("unknown key") and the client's next try finds it. A
// failed read keeps the keys it had.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "auth/jwk_set.hpp"

namespace session_clock::worker::auth {

class JwksSource : public KeyLookup {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kMinRefetchInterval = std::chrono::seconds(2);
  // The document's text; throws std::exception saying why it could not be had.
  using Load = std::function<std::string()>;

  // where: the URL or path, for logs. The first read happens here, on the
  // caller's thread; a failure throws (std::invalid_argument) when
  // `required`, else is logged and the set starts empty.
  JwksSource(std::string where, Load load, bool required, Clock::duration min_interval = kMinRefetchInterval);
  ~JwksSource() override;
  JwksSource(const JwksSource&) = delete;
  JwksSource& operator=(const JwksSource&) = delete;

  std::shared_ptr<const Jwk> find(const std::string& kid) const override;
  std::uint64_t reads() const;  // attempts so far, the first included

 private:
  bool read();  // true when a usable set replaced the one held
  void run();

  std::string where_;
  Load load_;
  Clock::duration min_interval_;
  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  std::shared_ptr<const JwkSet> keys_;
  mutable std::optional<Clock::time_point> last_read_;
  mutable bool wanted_ = false;
  bool stopping_ = false;
  std::uint64_t reads_ = 0;
  std::thread thread_;  // last: started once everything else is
};

// Loaders for the two sources. A URL must be https, except on a loopback
// host (127.0.0.0/8, ::1, localhost) where http is accepted: a key set
// fetched in the clear from anywhere else could be anyone's. Throws
// std::invalid_argument for an unusable URL.
JwksSource::Load jwks_url_loader(const std::string& url);
JwksSource::Load jwks_file_loader(const std::string& path);

}  // namespace session_clock::worker::auth
