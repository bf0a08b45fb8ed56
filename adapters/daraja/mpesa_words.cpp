// Daraja's results read for the bank; see mpesa_words.hpp.
#include "adapters/daraja/mpesa_words.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace hodi::adapters::daraja {

namespace {

using storage::MpesaVerdict;

constexpr std::array<std::string_view, 10> stk_refusals = {
    "1", "17", "1001", "1019", "1025", "1032", "1037", "2001", "9999", "SFC_IC0003"};

constexpr std::array<std::string_view, 11> b2c_refusals = {
    "1", "2", "3", "4", "8", "11", "21", "2001", "2028", "2040", "8006"};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& codes, const ResultCode& code) {
    return std::find(codes.begin(), codes.end(), code.text) != codes.end();
}

std::optional<storage::Cents> cents_of(std::optional<std::int64_t> kes) {
    if (!kes) return std::nullopt;
    return *kes * 100;
}

// "254712345678 - JANE DOE" (ReceiverPartyPublicName): the digits before the name.
std::optional<std::string> phone_of_party(const std::optional<std::string>& name) {
    if (!name) return std::nullopt;
    const std::string_view text(*name);
    const std::string_view digits = text.substr(0, text.find(' '));
    if (digits.size() != 12 || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return c >= '0' && c <= '9';
        })) {
        return std::nullopt;
    }
    return std::string(digits);
}

}  // namespace

MpesaVerdict stk_verdict(const ResultCode& code) {
    if (code.success()) return MpesaVerdict::succeeded;
    if (listed(stk_refusals, code)) return MpesaVerdict::failed;
    return MpesaVerdict::pending;
}

MpesaVerdict b2c_verdict(const ResultCode& code) {
    if (code.success()) return MpesaVerdict::succeeded;
    if (listed(b2c_refusals, code)) return MpesaVerdict::failed;
    return MpesaVerdict::pending;
}

MpesaVerdict status_verdict(const StatusResult& status) {
    if (!status.result.success()) return MpesaVerdict::pending;
    if (status.transaction_status == "Completed") return MpesaVerdict::succeeded;
    if (status.transaction_status == "Failed" || status.transaction_status == "Cancelled" ||
        status.transaction_status == "Declined") {
        return MpesaVerdict::failed;
    }
    return MpesaVerdict::pending;
}

std::string payout_id(std::int64_t row) { return "hodi-" + std::to_string(row); }

std::string status_query_id(std::int64_t row, int attempt) {
    return payout_id(row) + "-status-" + std::to_string(attempt);
}

std::optional<std::int64_t> row_of_request_id(std::string_view id) {
    constexpr std::string_view prefix = "hodi-";
    if (!id.starts_with(prefix)) return std::nullopt;
    id.remove_prefix(prefix.size());
    std::int64_t row = 0;
    const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), row);
    if (error != std::errc{} || row <= 0) return std::nullopt;
    const std::string_view rest(end, static_cast<std::size_t>(id.data() + id.size() - end));
    if (!rest.empty() && !rest.starts_with("-status-")) return std::nullopt;
    return row;
}

storage::MpesaResult stk_result(const StkCallback& callback) {
    storage::MpesaResult result;
    result.kind = storage::OutboxKind::stk_push;
    result.provider_ref = callback.checkout_request_id;
    result.verdict = stk_verdict(callback.result);
    result.code = callback.result.text;
    result.description = callback.result_desc;
    result.amount = cents_of(callback.amount_kes);
    result.phone = callback.phone;
    result.receipt = callback.receipt.value_or("");
    return result;
}

storage::MpesaResult b2c_result(const B2cResult& payout) {
    storage::MpesaResult result;
    result.kind = storage::OutboxKind::b2c;
    result.outbox_id = row_of_request_id(payout.originator_conversation_id);
    result.provider_ref = payout.conversation_id;
    result.verdict = b2c_verdict(payout.result);
    result.code = payout.result.text;
    result.description = payout.result_desc;
    result.amount = cents_of(payout.amount_kes);
    result.phone = phone_of_party(payout.receiver_name);
    result.receipt = payout.receipt.value_or("");
    return result;
}

storage::MpesaResult b2c_timeout(const B2cResult& payout) {
    storage::MpesaResult result = b2c_result(payout);
    result.verdict = MpesaVerdict::pending;
    return result;
}

storage::MpesaResult status_result(const StatusResult& status) {
    storage::MpesaResult result;
    result.kind = storage::OutboxKind::b2c;
    // The query's id names the row; the payout's own id, when sent, must agree with it.
    result.outbox_id = row_of_request_id(status.query_id);
    if (!status.original_id.empty() && row_of_request_id(status.original_id) != result.outbox_id) {
        result.outbox_id = std::nullopt;
    }
    result.provider_ref = status.conversation_id;
    result.verdict = status_verdict(status);
    result.code = status.result.text;
    result.description = status.result_desc;
    if (!status.transaction_status.empty()) result.description += " (" +
                                                                  status.transaction_status + ")";
    result.amount = cents_of(status.amount_kes);
    result.receipt = status.receipt.value_or("");
    return result;
}

}  // namespace hodi::adapters::daraja
