// Payment reviews in SQL: opened once per contradiction, closed by an operator, audited.
#include "storage/bank/money/payment_reviews.hpp"

#include "storage/bank/money/audit.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

constexpr const char* review_columns =
    "SELECT id, outbox_id, callback_id, reason, opened_at, settled_at, settled_by, resolution "
    "FROM payment_reviews ";

constexpr std::size_t text_chars_max = 300;

std::string clipped(std::string_view text) { return std::string(text.substr(0, text_chars_max)); }

PaymentReview read_review(Prepared& query) {
    PaymentReview review;
    review.id = query.getColumn(0).getInt64();
    if (!query.getColumn(1).isNull()) review.outbox_id = query.getColumn(1).getInt64();
    if (!query.getColumn(2).isNull()) review.callback_id = query.getColumn(2).getInt64();
    review.reason = query.getColumn(3).getString();
    review.opened_at = from_unix_seconds(query.getColumn(4).getInt64());
    if (!query.getColumn(5).isNull()) {
        review.settled_at = from_unix_seconds(query.getColumn(5).getInt64());
    }
    review.settled_by = query.getColumn(6).getString();
    review.resolution = query.getColumn(7).getString();
    return review;
}

// The open review for this row (or none) and reason, if one was raised already.
std::optional<std::int64_t> open_review_for(Connection& db, std::optional<std::int64_t> outbox_id,
                                            std::string_view reason) {
    // Without a row, the reason names what was not matched (its reference) and is the key.
    Prepared query(db,
                   "SELECT id FROM payment_reviews WHERE outbox_id IS ? AND reason = ? "
                   "AND settled_at IS NULL");
    if (outbox_id) query.bind(1, *outbox_id);
    query.bind(2, clipped(reason));
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getInt64();
}

std::string review_subject(const PaymentReview& review) {
    if (review.outbox_id) return "outbox:" + std::to_string(*review.outbox_id);
    return "review:" + std::to_string(review.id);
}

}  // namespace

boost::system::result<std::int64_t> open_review(Connection& db,
                                                std::optional<std::int64_t> outbox_id,
                                                std::optional<std::int64_t> callback_id,
                                                std::string_view reason, Seconds now) {
    if (auto existing = open_review_for(db, outbox_id, reason)) return *existing;
    Prepared insert(db,
                    "INSERT INTO payment_reviews (outbox_id, callback_id, reason, opened_at) "
                    "VALUES (?, ?, ?, ?)");
    if (outbox_id) insert.bind(1, *outbox_id);
    if (callback_id) insert.bind(2, *callback_id);
    insert.bind(3, clipped(reason));
    insert.bind(4, unix_seconds(now));
    insert.exec();
    const std::int64_t id = db.getLastInsertRowid();
    std::string subject = outbox_id ? "outbox:" + std::to_string(*outbox_id)
                                    : "review:" + std::to_string(id);
    auto audited = append_audit(
        db, {"system", "mpesa.review.opened", std::move(subject), clipped(reason)}, now);
    if (!audited) return audited.error();
    return id;
}

boost::system::result<std::vector<PaymentReview>> list_reviews(Connection& db, bool open_only) {
    Prepared query(db, std::string(review_columns) +
                           (open_only ? "WHERE settled_at IS NULL " : "") + "ORDER BY id");
    std::vector<PaymentReview> reviews;
    while (query.executeStep()) reviews.push_back(read_review(query));
    return reviews;
}

boost::system::result<std::optional<PaymentReview>> find_review(Connection& db, std::int64_t id) {
    Prepared query(db, std::string(review_columns) + "WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return std::optional<PaymentReview>{};
    return std::optional<PaymentReview>{read_review(query)};
}

boost::system::result<PaymentReview> close_review(Connection& db, std::int64_t id,
                                                  std::string_view resolution,
                                                  std::string_view actor, Seconds now) {
    auto found = find_review(db, id);
    if (!found) return found.error();
    if (!*found) return make_error_code(BankError::unknown_record);
    PaymentReview review = std::move(**found);
    if (review.settled_at) return review;
    review.settled_at = now;
    review.settled_by = std::string(actor);
    review.resolution = clipped(resolution);
    Prepared update(db,
                    "UPDATE payment_reviews SET settled_at = ?, settled_by = ?, resolution = ? "
                    "WHERE id = ?");
    update.bind(1, unix_seconds(now));
    update.bind(2, review.settled_by);
    update.bind(3, review.resolution);
    update.bind(4, id);
    update.exec();
    auto audited = append_audit(db,
                                {std::string(actor), "mpesa.review.settled",
                                 review_subject(review), review.resolution},
                                now);
    if (!audited) return audited.error();
    return review;
}

boost::system::result<OpenReviews> count_open_reviews(Connection& db) {
    Prepared query(db,
                   "SELECT count(*), min(opened_at) FROM payment_reviews "
                   "WHERE settled_at IS NULL");
    query.executeStep();
    OpenReviews open;
    open.count = query.getColumn(0).getInt64();
    if (!query.getColumn(1).isNull()) {
        open.oldest = from_unix_seconds(query.getColumn(1).getInt64());
    }
    return open;
}

}  // namespace hodi::storage
