// AUTH: who this connection acts for. A token given with the upgrade
// (?access_token=) or by AUTH is admitted by auth::TokenAdmission; the
// connection closes at the token's expiry (a steady timer: a wall-clock step
// can't stretch or cut its life by more than the step). The same sub and role
// again is a refreshed token: only the expiry moves. Another user: the
// features holding access (follows, presence) are told to check again.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/token_admission.hpp"
#include "protocol/inbound.hpp"
#include "time/server_clock.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class Identity {
 public:
  // Told after the connection changed hands to another user.
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void identity_changed() = 0;
  };

  Identity(Outbox& out, const auth::TokenAdmission& tokens, const ServerClock& clock);

  void observe(Observer& observer) { observers_.push_back(&observer); }
  void adopt(auth::VerifiedToken token);  // the upgrade's access_token
  void on_auth(const protocol::Auth& request);
  void end();

  // Null until a token was admitted.
  const auth::VerifiedToken* token() const { return token_ ? &*token_ : nullptr; }
  // A token with a sub: an end user (or a service token acting for one).
  bool is_user() const { return token_ && !token_->sub.empty(); }

 private:
  void arm_expiry();

  Outbox& out_;
  const auth::TokenAdmission& tokens_;
  const ServerClock& clock_;
  std::optional<auth::VerifiedToken> token_;
  boost::asio::steady_timer expiry_;
  std::vector<Observer*> observers_;
};

}  // namespace session_clock::worker
