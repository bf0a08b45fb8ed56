// Matching M-Pesa's word to the request hodi made, then settling, ignoring or flagging it.
#include "storage/bank/money/mpesa_results.hpp"

#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

using boost::system::result;

std::string_view digits_of(std::string_view phone) {
    if (!phone.empty() && phone.front() == '+') phone.remove_prefix(1);
    return phone;
}

bool is_final(const OutboxRow& row) {
    return row.state == OutboxState::done || row.state == OutboxState::failed;
}

result<std::optional<OutboxRow>> matching_row(Connection& db, const MpesaResult& said) {
    if (said.outbox_id) {
        auto row = find_outbox(db, *said.outbox_id);
        if (!row || !*row || (*row)->kind == said.kind) return row;
        return std::optional<OutboxRow>{};  // hodi's id, but for another kind of request
    }
    if (said.provider_ref.empty()) return std::optional<OutboxRow>{};
    return find_outbox_by_provider_ref(db, said.kind, said.provider_ref);
}

// Why M-Pesa's success cannot be believed for `row`, or "" when it can.
std::string success_contradiction(const OutboxRow& row, const MpesaResult& said) {
    if (row.state == OutboxState::failed) return "success after failure";
    if (said.amount && row.amount && *said.amount != *row.amount) {
        return "amount " + std::to_string(*said.amount) + " differs from the request's " +
               std::to_string(*row.amount);
    }
    if (said.phone && digits_of(*said.phone) != digits_of(row.phone)) {
        return "phone differs from the request's";
    }
    return {};
}

std::string reference_contradiction(const OutboxRow& row, const MpesaResult& said) {
    if (said.provider_ref.empty() || !row.provider_ref || row.provider_ref->empty()) return {};
    if (*row.provider_ref == said.provider_ref) return {};
    return "reference " + said.provider_ref + " differs from the request's " + *row.provider_ref;
}

// A request whose answer was lost learns its reference from M-Pesa's later word, so that its
// status can be queried and further callbacks matched.
void learn_reference(Connection& db, const OutboxRow& row, const MpesaResult& said, Seconds now) {
    if (said.provider_ref.empty() || (row.provider_ref && !row.provider_ref->empty())) return;
    Prepared update(db, "UPDATE outbox SET provider_ref = ?, updated_at = ? WHERE id = ?");
    update.bind(1, said.provider_ref);
    update.bind(2, unix_seconds(now));
    update.bind(3, row.id);
    update.exec();
}

result<AppliedResult> flag(Connection& db, std::optional<std::int64_t> outbox_id,
                           std::optional<std::int64_t> callback_id, std::string reason,
                           Seconds now) {
    auto review = open_review(db, outbox_id, callback_id, reason, now);
    if (!review) return review.error();
    return AppliedResult{ResultFate::review, outbox_id, *review, std::move(reason)};
}

std::string error_text(const MpesaResult& said) {
    std::string text = "ResultCode " + said.code;
    if (!said.description.empty()) text += ": " + said.description;
    return text;
}

result<AppliedResult> settle(Connection& db, const OutboxRow& row, const MpesaResult& said,
                             std::optional<std::int64_t> callback_id, std::string_view actor,
                             Seconds now) {
    const bool succeeded = said.verdict == MpesaVerdict::succeeded;
    if (is_final(row)) {
        const bool same = (row.state == OutboxState::done) == succeeded;
        if (same) return AppliedResult{ResultFate::duplicate, row.id, std::nullopt, {}};
        if (!succeeded) return flag(db, row.id, callback_id, "failure after success", now);
    }
    if (succeeded) {
        if (auto reason = success_contradiction(row, said); !reason.empty()) {
            return flag(db, row.id, callback_id, std::move(reason), now);
        }
    }
    learn_reference(db, row, said, now);
    auto completed = complete_outbox(db, row.id, succeeded, error_text(said), actor, now);
    if (!completed) return completed.error();
    return AppliedResult{ResultFate::applied, row.id, std::nullopt, {}};
}

}  // namespace

std::string_view to_string(ResultFate fate) {
    switch (fate) {
        case ResultFate::applied: return "applied";
        case ResultFate::duplicate: return "duplicate";
        case ResultFate::pending: return "pending";
        case ResultFate::review: return "review";
    }
    return "pending";
}

result<AppliedResult> apply_mpesa_result(Connection& db, const MpesaResult& said,
                                         std::optional<std::int64_t> callback_id,
                                         std::string_view actor, Seconds now) {
    auto found = matching_row(db, said);
    if (!found) return found.error();
    if (!*found) {
        if (said.verdict != MpesaVerdict::succeeded) {
            // Nothing moved and nothing of hodi's is waiting on it: kept in the callback log.
            return AppliedResult{ResultFate::duplicate, std::nullopt, std::nullopt,
                                 "no request matches"};
        }
        return flag(db, std::nullopt, callback_id, "no request matches " + said.provider_ref,
                    now);
    }
    const OutboxRow& row = **found;
    if (auto reason = reference_contradiction(row, said); !reason.empty()) {
        return flag(db, row.id, callback_id, std::move(reason), now);
    }
    if (said.verdict == MpesaVerdict::pending) {
        learn_reference(db, row, said, now);
        return AppliedResult{ResultFate::pending, row.id, std::nullopt, {}};
    }
    return settle(db, row, said, callback_id, actor, now);
}

result<std::optional<OutboxRow>> find_outbox_by_provider_ref(Connection& db, OutboxKind kind,
                                                             std::string_view ref) {
    Prepared query(db, "SELECT id FROM outbox WHERE kind = ? AND provider_ref = ?");
    query.bind(1, std::string(to_string(kind)));
    query.bind(2, std::string(ref));
    if (!query.executeStep()) return std::optional<OutboxRow>{};
    return find_outbox(db, query.getColumn(0).getInt64());
}

}  // namespace hodi::storage
