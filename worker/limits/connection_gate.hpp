// How many sockets the worker holds (--max-connections) and how many of
// them one client address may hold (--max-connections-per-ip), so that no
// client can take the descriptors everyone else needs. Every accepted socket
// counts, plain HTTP keep-alive as much as WebSocket: each holds a
// descriptor. A socket beyond either cap may take one of a few spare places,
// where only /healthz and /metrics are answered and anything else gets 503
// (so monitoring still sees a full worker); beyond those it is closed at
// once. Per address means per client: a trusted proxy's own sockets count in
// the total only, and each WebSocket through it counts for the client it
// names (http/client_address.hpp), an IPv6 client by its /64.
// Thread-safe: every connection's strand admits and releases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace session_clock::worker::limits {

struct ConnectionCaps {
  std::size_t total = 0;        // sockets held at once
  std::size_t per_address = 0;  // of them from one client address
  std::size_t spare = 0;        // beyond the caps, answering only status pages
};

// Descriptors the worker keeps for itself (the database pool and LISTEN
// connections, the listener, outbound HTTPS, its logs) and for the spare
// places: --max-connections may be at most RLIMIT_NOFILE minus these.
inline constexpr std::size_t kReservedDescriptors = 100;
inline constexpr std::size_t kSpareConnections = 32;

// The caps for a descriptor limit: 0 asks for the default (the limit less
// the reserve; half of the total per address). nullopt and `error` set when
// the caps asked for do not fit in the limit.
std::optional<ConnectionCaps> connection_caps(std::size_t total, std::size_t per_address, std::uint64_t open_files,
                                              std::string& error);

class ConnectionGate {
 public:
  // A place held until destroyed: a socket's (in the total, and for its
  // address unless that is empty) or, through a proxy, a client's.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket() { release(); }
    explicit operator bool() const { return gate_ != nullptr; }
    bool spare() const { return spare_; }  // beyond the caps: status pages only

   private:
    friend class ConnectionGate;
    void release();
    ConnectionGate* gate_ = nullptr;
    std::string address_;
    bool in_total_ = false;
    bool spare_ = false;
  };

  explicit ConnectionGate(ConnectionCaps caps) : caps_(caps) {}

  // A socket just accepted from `address` ("" for a trusted proxy's): a
  // place, a spare one, or none (close it).
  Ticket admit_socket(const std::string& address);
  // A client behind a trusted proxy, for its WebSocket's life; none if the
  // address holds its share already.
  Ticket admit_client(const std::string& address);

  const ConnectionCaps& caps() const { return caps_; }

 private:
  struct Held {
    std::size_t places = 0;
    std::size_t spare = 0;
  };
  void release(const Ticket& ticket);

  ConnectionCaps caps_;
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::size_t spare_ = 0;
  std::unordered_map<std::string, Held> held_;  // addresses holding anything
};

}  // namespace session_clock::worker::limits
