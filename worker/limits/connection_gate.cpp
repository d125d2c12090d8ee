#include "limits/connection_gate.hpp"

#include <algorithm>

namespace session_clock::worker::limits {

std::optional<ConnectionCaps> connection_caps(std::size_t total, std::size_t per_address, std::uint64_t open_files,
                                              std::string& error) {
  std::uint64_t room = open_files > kReservedDescriptors ? open_files - kReservedDescriptors : 0;
  if (total == 0) total = static_cast<std::size_t>(std::min<std::uint64_t>(room, SIZE_MAX));
  if (total == 0 || total > room) {
    error = "--max-connections " + std::to_string(total) + " needs an open-files limit (RLIMIT_NOFILE, systemd's " +
            "LimitNOFILE) of at least " + std::to_string(total + kReservedDescriptors) + "; it is " +
            std::to_string(open_files);
    return std::nullopt;
  }
  // One address never gets everything by default: the others keep half.
  if (per_address == 0) per_address = std::max<std::size_t>(1, total / 2);
  return ConnectionCaps{total, std::min(per_address, total), kSpareConnections};
}

ConnectionGate::Ticket& ConnectionGate::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = other.gate_;
    address_ = std::move(other.address_);
    in_total_ = other.in_total_;
    spare_ = other.spare_;
    other.gate_ = nullptr;
  }
  return *this;
}

void ConnectionGate::Ticket::release() {
  if (gate_) gate_->release(*this);
  gate_ = nullptr;
}

// A spare place per address is capped too, so that one address cannot take
// the spare places monitoring needs.
ConnectionGate::Ticket ConnectionGate::admit_socket(const std::string& address) {
  Ticket ticket;
  std::lock_guard lock(mutex_);
  Held* held = address.empty() ? nullptr : &held_[address];
  if (total_ < caps_.total && (!held || held->places < caps_.per_address)) {
    ++total_;
    if (held) ++held->places;
  } else if (spare_ < caps_.spare && (!held || held->spare < std::max<std::size_t>(1, caps_.spare / 4))) {
    ++spare_;
    if (held) ++held->spare;
    ticket.spare_ = true;
  } else {
    if (held && held->places == 0 && held->spare == 0) held_.erase(address);
    return ticket;
  }
  ticket.gate_ = this;
  ticket.address_ = address;
  ticket.in_total_ = true;
  return ticket;
}

ConnectionGate::Ticket ConnectionGate::admit_client(const std::string& address) {
  Ticket ticket;
  std::lock_guard lock(mutex_);
  auto& held = held_[address];
  if (held.places >= caps_.per_address) return ticket;
  ++held.places;
  ticket.gate_ = this;
  ticket.address_ = address;
  return ticket;
}

void ConnectionGate::release(const Ticket& ticket) {
  std::lock_guard lock(mutex_);
  if (ticket.in_total_) --(ticket.spare_ ? spare_ : total_);
  if (ticket.address_.empty()) return;
  auto it = held_.find(ticket.address_);
  if (it == held_.end()) return;
  --(ticket.spare_ ? it->second.spare : it->second.places);
  if (it->second.places == 0 && it->second.spare == 0) held_.erase(it);
}

}  // namespace session_clock::worker::limits
