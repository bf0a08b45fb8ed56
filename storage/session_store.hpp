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
};

}  // namespace hodi::storage

template <>
struct boost::system::is_error_code_enum<hodi::storage::StoreError> : std::true_type {};
