// M-Pesa's callbacks as they arrived: each body is kept raw before hodi acknowledges it, then
// applied in a later step. A crash between the two loses nothing: the row stays unapplied and
// is applied after restart. Like the rest of the bank, these run inside the caller's
// transaction; SQLite failures throw.
#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

// Which Daraja route a callback came in on (PROTOCOLS.md §3.6-§3.9).
enum class CallbackSource : std::uint8_t {
    stk,               ///< STK Push result
    b2c_result,        ///< B2C result
    b2c_timeout,       ///< B2C queue timeout: not a final failure
    c2b_validation,    ///< paybill payment about to happen
    c2b_confirmation,  ///< paybill payment made
    status_result,     ///< Transaction Status result
    status_timeout,    ///< Transaction Status queue timeout
};
std::string_view to_string(CallbackSource source);
std::optional<CallbackSource> parse_callback_source(std::string_view text);

// What applying a callback came to.
enum class CallbackFate : std::uint8_t {
    unapplied,  ///< stored, not yet applied
    applied,    ///< moved the payment it names to its final state
    duplicate,  ///< said again what was already applied: nothing changed
    pending,    ///< no outcome yet (a queue timeout, an unknown ResultCode): the row is queried
    review,     ///< contradicts what hodi knows: nothing moved, a review is open
    refused,    ///< its shape is not Daraja's: kept for the operator, nothing moved
};
std::string_view to_string(CallbackFate fate);

struct StoredCallback {
    std::int64_t id = 0;
    CallbackSource source = CallbackSource::stk;
    std::string key;   ///< CheckoutRequestID, OriginatorConversationID or TransID; may be empty
    std::string body;  ///< as received
    Seconds received_at{};
    CallbackFate fate = CallbackFate::unapplied;
    std::string note;  ///< why it came to its fate, for the operator
};

// Keeps one callback, unapplied; returns its id. Every arrival is kept, duplicates included:
// they are evidence, and applying them is idempotent.
boost::system::result<std::int64_t> store_callback(Connection& db, CallbackSource source,
                                                   std::string_view key, std::string_view body,
                                                   Seconds now);

// Unapplied callbacks received at or before `received_by`, oldest first, at most `count`.
boost::system::result<std::vector<StoredCallback>> unapplied_callbacks(Connection& db,
                                                                       Seconds received_by,
                                                                       std::size_t count);

boost::system::result<std::optional<StoredCallback>> find_callback(Connection& db,
                                                                   std::int64_t id);

// Records what applying callback `id` came to; `fate` must not be unapplied. A callback
// already applied keeps its first fate (answers it unchanged): the first application counts.
boost::system::result<StoredCallback> record_callback_fate(Connection& db, std::int64_t id,
                                                           CallbackFate fate,
                                                           std::string_view note, Seconds now);

// Callbacks still unapplied, and the oldest one's arrival, for `hodi check`.
struct UnappliedCallbacks {
    std::int64_t count = 0;
    std::optional<Seconds> oldest;
};
boost::system::result<UnappliedCallbacks> count_unapplied_callbacks(Connection& db);

}  // namespace hodi::storage
