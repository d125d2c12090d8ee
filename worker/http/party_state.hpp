// GET /api/party-state?code=K7Q2PX: the seed app's late-join call, the
// room's track and schedule by code (the code is what a guest has; members
// are not listed here).
#pragma once

#include <boost/beast/http/status.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "db/room_queries.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class PartyState {
 public:
  PartyState(db::RoomQueries& rooms, const ServerClock& clock) : rooms_(rooms), clock_(clock) {}

  // done(status, JSON body) exactly once, possibly on a database thread.
  void lookup(std::string_view target, std::function<void(boost::beast::http::status, std::string)> done) const;

 private:
  db::RoomQueries& rooms_;
  const ServerClock& clock_;
};

}  // namespace session_clock::worker
