// Applying a stored Daraja callback: parse its raw body by the route it came in on, match it to
// the request hodi made, settle or flag, and record its fate, all in one write job. The same
// step serves a callback just acknowledged and one a crash left unapplied.
#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "storage/bank/money/mpesa_callbacks.hpp"
#include "storage/bank/sql/store.hpp"

namespace hodi::adapters::daraja {

// The key a callback is stored under (CheckoutRequestID, OriginatorConversationID, TransID),
// or why its body is not Daraja's.
struct CallbackKey {
    std::optional<std::string> key;
    std::string problem;
};
CallbackKey callback_key(storage::CallbackSource source, std::string_view body);

// Applies callback `id` (once: a callback already applied answers its first fate).
storage::DbFn<storage::CallbackFate> apply_callback_job(std::int64_t id, storage::Seconds now);

// Applies the callbacks left unapplied (received at or before `received_by`), up to `count`,
// each in its own savepoint; answers how many were applied.
storage::DbFn<std::size_t> apply_unapplied_job(storage::Seconds received_by, std::size_t count,
                                               storage::Seconds now);

// One stored callback applied inside the caller's transaction.
boost::system::result<storage::CallbackFate> apply_stored_callback(
    storage::Connection& db, const storage::StoredCallback& callback, storage::Seconds now);

}  // namespace hodi::adapters::daraja
