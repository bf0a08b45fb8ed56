// STK Push and B2C as outbox senders: requests for pending rows, status questions for the rest.
#include "adapters/daraja/daraja_senders.hpp"

#include <algorithm>
#include <charconv>

#include "adapters/daraja/mpesa_words.hpp"

namespace hodi::adapters::daraja {

namespace {

constexpr std::size_t remarks_chars_max = 100;

// "+254712345678" as Daraja's MSISDN number, or 0 when it is not one.
std::int64_t msisdn_of(std::string_view phone) {
    if (!phone.empty() && phone.front() == '+') phone.remove_prefix(1);
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(phone.data(), phone.data() + phone.size(), number);
    if (error != std::errc{} || end != phone.data() + phone.size() || phone.size() != 12) return 0;
    return number;
}

// Why Daraja cannot carry the row's money, or "" when it can. M-Pesa moves whole shillings:
// a fraction is refused, never rounded.
std::string unpayable(const storage::OutboxRow& row) {
    if (!row.amount || *row.amount <= 0) return "no amount";
    if (*row.amount % 100 != 0) return "M-Pesa moves whole shillings only";
    if (msisdn_of(row.phone) == 0) return "not an M-Pesa phone number";
    return {};
}

std::string result_text(const ResultCode& code, std::string_view description) {
    std::string text = "ResultCode " + code.text;
    if (!description.empty()) text += ": " + std::string(description);
    return text;
}

// A status question that got no usable answer: the row stays with Daraja, asked again later.
SendOutcome ask_again(std::string why, storage::Seconds at) {
    return SendOutcome::unknown(std::move(why), at);
}

}  // namespace

std::chrono::seconds next_check(const MpesaSenderSettings& settings, int attempts) {
    std::chrono::seconds wait = settings.first_check;
    for (int doubling = 1; doubling < attempts && wait < settings.check_max; ++doubling) {
        wait *= 2;
    }
    return std::min(wait, settings.check_max);
}

std::string prompt_description(const storage::OutboxRow& row) {
    if (row.payload.find("repay") != std::string::npos) return "Loan repayment";
    if (row.payload.find("save") != std::string::npos) return "Savings";
    return "Wallet top-up";
}

SendOutcome outcome_of_query(const DarajaAnswer& answer, const std::string& ref,
                             storage::Seconds later) {
    // Daraja holds no request under the id: no prompt was shown under it, so nothing can be
    // paid for it. A success callback for it after all is a contradiction, flagged for review.
    if (answer.verdict == CallVerdict::refused && answer.error &&
        answer.error->invalid("CheckoutRequestID")) {
        return SendOutcome::failed("Daraja knows no such CheckoutRequestID: " + answer.detail);
    }
    if (answer.verdict != CallVerdict::answered) return ask_again(answer.detail, later);
    if (answer.error && answer.error->still_processing()) {
        return SendOutcome::accepted({}, later);
    }
    Parsed<StkQueryAnswer> said = parse_stk_query_response(answer.body);
    if (!said.value) return ask_again("STK Query answer unreadable: " + said.problem, later);
    if (said.value->pending) return SendOutcome::accepted({}, later);
    switch (stk_verdict(said.value->result)) {
        case storage::MpesaVerdict::succeeded: return SendOutcome::succeeded(ref);
        case storage::MpesaVerdict::failed:
            return SendOutcome::failed(result_text(said.value->result, said.value->result_desc));
        case storage::MpesaVerdict::pending: break;
    }
    return SendOutcome::accepted({}, later);
}

SendOutcome outcome_of_request(const DarajaAnswer& answer, storage::Seconds check_at,
                               bool is_stk) {
    switch (answer.verdict) {
        case CallVerdict::answered: break;
        case CallVerdict::refused: return SendOutcome::failed(answer.detail);
        case CallVerdict::throttled:
        case CallVerdict::not_sent: return SendOutcome::retry(answer.detail);
        case CallVerdict::unknown: return SendOutcome::unknown(answer.detail);
    }
    Parsed<Accepted> accepted = parse_accepted(answer.body);
    // A 2xx hodi cannot read may still mean Daraja took the request.
    if (!accepted.value) return SendOutcome::unknown("answer unreadable: " + accepted.problem);
    if (!accepted.value->response.success()) {
        return SendOutcome::failed("ResponseCode " + accepted.value->response.text + ": " +
                                   accepted.value->description);
    }
    std::string ref = is_stk ? accepted.value->checkout_request_id
                             : accepted.value->conversation_id;
    return SendOutcome::accepted(std::move(ref), check_at);
}

net::awaitable<SendOutcome> StkPushSender::send(storage::OutboxRow row, storage::Seconds now) {
    if (row.state == storage::OutboxState::pending) return push(std::move(row), now);
    return query(std::move(row), now);
}

net::awaitable<SendOutcome> StkPushSender::push(storage::OutboxRow row, storage::Seconds now) {
    if (const std::string why = unpayable(row); !why.empty()) co_return SendOutcome::failed(why);
    // A push whose outcome a crash lost is sent again: a second prompt asks the subscriber
    // again, but moves nothing without their PIN.
    DarajaAnswer answer = co_await client_->stk_push(msisdn_of(row.phone), *row.amount / 100,
                                                     settings_.account_reference,
                                                     prompt_description(row));
    co_return outcome_of_request(answer, now + settings_.first_check, true);
}

net::awaitable<SendOutcome> StkPushSender::query(storage::OutboxRow row, storage::Seconds now) {
    const storage::Seconds later = now + next_check(settings_, row.attempts);
    if (!row.provider_ref || row.provider_ref->empty()) {
        // Daraja may have sent the prompt, but without its CheckoutRequestID there is nothing
        // to ask: the row waits for the callback, and `hodi check` shows it meanwhile.
        co_return ask_again("no CheckoutRequestID to ask about; waiting for the callback",
                            now + settings_.check_max);
    }
    DarajaAnswer answer = co_await client_->stk_query(*row.provider_ref);
    co_return outcome_of_query(answer, *row.provider_ref, later);
}

net::awaitable<SendOutcome> B2cSender::send(storage::OutboxRow row, storage::Seconds now) {
    if (row.state == storage::OutboxState::pending && !row.outcome_lost()) {
        return pay(std::move(row), now);
    }
    // Sent, or maybe sent by a pass that died: never pay again before M-Pesa says it did not.
    return ask_status(std::move(row), now);
}

net::awaitable<SendOutcome> B2cSender::pay(storage::OutboxRow row, storage::Seconds now) {
    if (const std::string why = unpayable(row); !why.empty()) co_return SendOutcome::failed(why);
    std::string remarks = row.payload.substr(0, remarks_chars_max);
    if (remarks.empty()) remarks = "hodi payout";
    DarajaAnswer answer = co_await client_->b2c(payout_id(row.id), msisdn_of(row.phone),
                                                *row.amount / 100, std::move(remarks));
    co_return outcome_of_request(answer, now + settings_.first_check, false);
}

net::awaitable<SendOutcome> B2cSender::ask_status(storage::OutboxRow row, storage::Seconds now) {
    const storage::Seconds later = now + next_check(settings_, row.attempts);
    DarajaAnswer answer = co_await client_->transaction_status(
        status_query_id(row.id, row.attempts), payout_id(row.id), std::string());
    if (answer.verdict != CallVerdict::answered) co_return ask_again(answer.detail, later);
    // Daraja took the question; its answer comes to the status routes. Until then the row is
    // with Daraja, looked at again later.
    co_return SendOutcome::accepted({}, later);
}

}  // namespace hodi::adapters::daraja
