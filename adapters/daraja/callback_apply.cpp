// Stored callbacks applied: parsed by route, turned into the bank's MpesaResult, settled once.
#include "adapters/daraja/callback_apply.hpp"

#include <spdlog/spdlog.h>
#include <exception>

#include "adapters/daraja/mpesa_words.hpp"
#include "storage/bank/money/payment_reviews.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::adapters::daraja {

namespace {

using boost::system::result;
using storage::CallbackFate;
using storage::CallbackSource;

// The result a callback states, or why its body cannot be read.
struct Stated {
    std::optional<storage::MpesaResult> result;
    std::string problem;
};

template <class T, class Convert>
Stated stated(const Parsed<T>& parsed, Convert convert) {
    if (!parsed.value) return {std::nullopt, parsed.problem};
    return {convert(*parsed.value), {}};
}

Stated read_stated(CallbackSource source, std::string_view body) {
    switch (source) {
        case CallbackSource::stk: return stated(parse_stk_callback(body), stk_result);
        case CallbackSource::b2c_result: return stated(parse_b2c_result(body), b2c_result);
        case CallbackSource::b2c_timeout: return stated(parse_b2c_result(body), b2c_timeout);
        case CallbackSource::status_result:
            return stated(parse_status_result(body), status_result);
        case CallbackSource::status_timeout: {
            // A query that timed out in M-Pesa's queue says nothing of the payout: it is asked
            // again when its row comes due.
            Stated timeout = stated(parse_status_result(body), status_result);
            if (timeout.result) timeout.result->verdict = storage::MpesaVerdict::pending;
            return timeout;
        }
        case CallbackSource::c2b_validation:
        case CallbackSource::c2b_confirmation: break;
    }
    return {std::nullopt, "not a payment result"};
}

CallbackFate fate_of(storage::ResultFate fate) {
    switch (fate) {
        case storage::ResultFate::applied: return CallbackFate::applied;
        case storage::ResultFate::duplicate: return CallbackFate::duplicate;
        case storage::ResultFate::pending: return CallbackFate::pending;
        case storage::ResultFate::review: return CallbackFate::review;
    }
    return CallbackFate::pending;
}

result<CallbackFate> fate_kept(const result<storage::StoredCallback>& kept) {
    if (!kept) return kept.error();
    return kept->fate;
}

// A paybill payment: money that reached hodi's shortcode without hodi asking. Until paybill
// repayments are matched to loans by account, a person credits it: nothing is lost.
result<CallbackFate> apply_paybill(storage::Connection& db,
                                   const storage::StoredCallback& callback, storage::Seconds now) {
    if (callback.source == CallbackSource::c2b_validation) {
        return fate_kept(storage::record_callback_fate(db, callback.id, CallbackFate::duplicate,
                                                       "validation only: nothing moves", now));
    }
    auto review = storage::open_review(db, std::nullopt, callback.id,
                                       "paybill payment " + callback.key + " to credit", now);
    if (!review) return review.error();
    return fate_kept(storage::record_callback_fate(db, callback.id, CallbackFate::review,
                                                   "paybill payment for an operator", now));
}

std::string note_of(const storage::AppliedResult& applied) {
    std::string note(storage::to_string(applied.fate));
    if (applied.outbox_id) note += " outbox " + std::to_string(*applied.outbox_id);
    if (!applied.reason.empty()) note += ": " + applied.reason;
    return note;
}

}  // namespace

CallbackKey callback_key(CallbackSource source, std::string_view body) {
    switch (source) {
        case CallbackSource::stk: {
            auto parsed = parse_stk_callback(body);
            if (!parsed.value) return {std::nullopt, parsed.problem};
            return {parsed.value->checkout_request_id, {}};
        }
        case CallbackSource::b2c_result:
        case CallbackSource::b2c_timeout: {
            auto parsed = parse_b2c_result(body);
            if (!parsed.value) return {std::nullopt, parsed.problem};
            return {parsed.value->originator_conversation_id, {}};
        }
        case CallbackSource::status_result:
        case CallbackSource::status_timeout: {
            auto parsed = parse_status_result(body);
            if (!parsed.value) return {std::nullopt, parsed.problem};
            return {parsed.value->query_id, {}};
        }
        case CallbackSource::c2b_validation:
        case CallbackSource::c2b_confirmation: {
            auto parsed = parse_c2b_payment(body);
            if (!parsed.value) return {std::nullopt, parsed.problem};
            return {parsed.value->trans_id, {}};
        }
    }
    return {std::nullopt, "unknown route"};
}

result<CallbackFate> apply_stored_callback(storage::Connection& db,
                                           const storage::StoredCallback& callback,
                                           storage::Seconds now) {
    if (callback.fate != CallbackFate::unapplied) return callback.fate;
    if (callback.source == CallbackSource::c2b_validation ||
        callback.source == CallbackSource::c2b_confirmation) {
        return apply_paybill(db, callback, now);
    }
    Stated said = read_stated(callback.source, callback.body);
    if (!said.result) {
        return fate_kept(storage::record_callback_fate(db, callback.id, CallbackFate::refused,
                                                       said.problem, now));
    }
    auto applied = storage::apply_mpesa_result(db, *said.result, callback.id, "daraja", now);
    if (!applied) return applied.error();
    auto kept =
        storage::record_callback_fate(db, callback.id, fate_of(applied->fate), note_of(*applied),
                                      now);
    if (!kept) return kept.error();
    if (applied->fate == storage::ResultFate::review) {
        spdlog::error("payments: callback {} needs review: {} (hodi review list)", callback.id,
                      applied->reason);
    }
    return kept->fate;
}

storage::DbFn<CallbackFate> apply_callback_job(std::int64_t id, storage::Seconds now) {
    return [id, now](storage::Connection& db) -> result<CallbackFate> {
        auto found = storage::find_callback(db, id);
        if (!found) return found.error();
        if (!*found) return storage::make_error_code(storage::BankError::unknown_record);
        return apply_stored_callback(db, **found, now);
    };
}

storage::DbFn<std::size_t> apply_unapplied_job(storage::Seconds received_by, std::size_t count,
                                               storage::Seconds now) {
    return [received_by, count, now](storage::Connection& db) -> result<std::size_t> {
        auto waiting = storage::unapplied_callbacks(db, received_by, count);
        if (!waiting) return waiting.error();
        std::size_t applied = 0;
        for (const storage::StoredCallback& callback : *waiting) {
            try {
                auto fate = storage::in_savepoint(db, "apply_callback", [&] {
                    return apply_stored_callback(db, callback, now);
                });
                if (fate) ++applied;
            } catch (const std::exception& error) {
                // Left unapplied: the next pass tries it again, and the operator sees it.
                spdlog::error("payments: applying callback {} failed: {}", callback.id,
                              error.what());
            }
        }
        return applied;
    };
}

}  // namespace hodi::adapters::daraja
