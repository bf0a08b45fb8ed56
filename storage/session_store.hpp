// Where sessions live between hops: the interface every session store implements (the
// in-memory default, Redis). Stores keep engine::Session values and never interpret them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "engine/session.hpp"

namespace hodi::storage {

namespace net = boost::asio;

// Failures a session store reports as values.
enum class StoreError {
    unavailable = 1,  ///< the backing service cannot be reached (Redis down, reconnecting)
    timeout,          ///< the backing service did not answer within its command timeout
    corrupt,          ///< a stored session could not be decoded (unknown version, bad bytes)
};
const boost::system::error_category& store_category();
boost::system::error_code make_error_code(StoreError error);

// Implementations are thread-safe: one store serves every network thread.
class SessionStore {
public:
    virtual ~SessionStore() = default;

    // The stored session, or nullopt when there is none (never stored, expired, evicted).
    virtual net::awaitable<boost::system::result<std::optional<engine::Session>>> load(
        std::string session_id) = 0;

    // Stores `session` to live `ttl` from now, replacing any earlier version.
    virtual net::awaitable<boost::system::error_code> save(engine::Session session,
                                                           std::chrono::seconds ttl) = 0;

    // Forgets the session; erasing an unknown id is not an error.
    virtual net::awaitable<boost::system::error_code> erase(std::string session_id) = 0;

    // Whether the store can currently serve (for /readyz).
    virtual bool ready() const { return true; }

    // One hop at a time per session across every node sharing the store. A store only this
    // process uses is not shared: the node's own gate (adapters::SessionGate) is enough, and
    // the claiming calls below are never made on it.
    virtual bool shared() const { return false; }

    // A hop's claim: who holds the session (unique to the hop) and for how long at most, so
    // that a node dying mid-hop frees it by then.
    struct Claim {
        std::string holder;
        std::chrono::milliseconds hold{0};
        // When the claim that holds was asked for (the clock before its round trip): the store
        // set it no earlier, so it cannot expire before `sent + hold`. Unknown (the default):
        // freeing it always checks that it is still this holder's.
        std::chrono::steady_clock::time_point sent{};
    };
    // load() for a hop that first claims the session, in the same round trip: `busy` while
    // another hop holds it (nothing loaded, nothing claimed).
    struct Claimed {
        bool busy = false;
        std::optional<engine::Session> session;
    };
    virtual net::awaitable<boost::system::result<Claimed>> claim_and_load(std::string session_id,
                                                                          Claim claim) {
        (void)claim;
        auto loaded = co_await load(std::move(session_id));
        if (!loaded) {
            co_return boost::system::result<Claimed>(boost::system::in_place_error,
                                                     loaded.error());
        }
        co_return Claimed{false, std::move(*loaded)};
    }
    // save() that also frees `claim` (the one claim_and_load took for this hop) if its holder
    // still has it (not after it expired and a later hop took it), in the same round trip.
    virtual net::awaitable<boost::system::error_code> save_and_unclaim(
        engine::Session session, std::chrono::seconds ttl, Claim claim) {
        (void)claim;
        co_return co_await save(std::move(session), ttl);
    }
    // Frees the claim of a hop that saves nothing (a replayed repeat, a refused hop).
    virtual net::awaitable<boost::system::error_code> unclaim(std::string session_id,
                                                              std::string holder) {
        (void)session_id;
        (void)holder;
        co_return boost::system::error_code{};
    }
};

}  // namespace hodi::storage

template <>
struct boost::system::is_error_code_enum<hodi::storage::StoreError> : std::true_type {};
