// One hop at a time per session across nodes: SessionGate keeps a node's own hops of a session
// in turn; when the session store is shared (Redis), a hop also claims the session there as it
// loads it, so a retry that a load balancer sends to another node waits for the hop in flight
// too, then replays its reply.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "storage/session_store.hpp"

namespace hodi::adapters {

namespace net = boost::asio;

// A name for one hop in the claims, unique across nodes and hops: this process's random name
// and a count.
std::string next_claim_holder();

// claim_and_load(), retried while another hop holds the session (5 ms, doubling to 50 ms)
// until `deadline`; still `busy` then. Each attempt stamps `claim.sent`, so the claim it took
// says when it was asked for. `claim` must outlive the awaiting.
net::awaitable<boost::system::result<storage::SessionStore::Claimed>> claim_and_load_by(
    storage::SessionStore& store, std::string session_id, storage::SessionStore::Claim& claim,
    std::chrono::steady_clock::time_point deadline);

}  // namespace hodi::adapters
