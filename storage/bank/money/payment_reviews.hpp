// Payments hodi will not settle on its own: what M-Pesa said contradicts what hodi asked for or
// already knows (an amount or phone that differs from the request, a success after a failure,
// a result no request matches, a push whose answer was lost and that cannot be queried). Such a
// payment moves no money until an operator looks (`hodi review list`, `hodi review settle`).
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/sql/unix_time.hpp"

namespace hodi::storage {

struct PaymentReview {
    std::int64_t id = 0;
    std::optional<std::int64_t> outbox_id;    ///< the request it concerns, when one matched
    std::optional<std::int64_t> callback_id;  ///< the callback that raised it, if any
    std::string reason;
    Seconds opened_at{};
    std::optional<Seconds> settled_at;
    std::string settled_by;
    std::string resolution;
};

// Opens a review, or returns the open one already raised for the same (outbox row or none,
// reason): a duplicated contradictory callback raises one review, not one per copy.
boost::system::result<std::int64_t> open_review(Connection& db,
                                                std::optional<std::int64_t> outbox_id,
                                                std::optional<std::int64_t> callback_id,
                                                std::string_view reason, Seconds now);

// Reviews oldest first: only the open ones, or all.
boost::system::result<std::vector<PaymentReview>> list_reviews(Connection& db, bool open_only);

boost::system::result<std::optional<PaymentReview>> find_review(Connection& db, std::int64_t id);

// Closes a review with what the operator found and did (`resolution`), audited by `actor`.
// Settling a settled review answers it unchanged; an unknown id is unknown_record.
boost::system::result<PaymentReview> close_review(Connection& db, std::int64_t id,
                                                  std::string_view resolution,
                                                  std::string_view actor, Seconds now);

struct OpenReviews {
    std::int64_t count = 0;
    std::optional<Seconds> oldest;
};
boost::system::result<OpenReviews> count_open_reviews(Connection& db);

}  // namespace hodi::storage
