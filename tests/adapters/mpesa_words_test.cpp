// What Daraja's results mean for money: ResultCodes, hodi's request ids, and the results its
// callbacks state.
#include <doctest/doctest.h>

#include "adapters/daraja/mpesa_words.hpp"

namespace {

using namespace hodi::adapters::daraja;
using hodi::storage::MpesaVerdict;

}  // namespace

TEST_CASE("ResultCodes hodi does not know leave a payment open") {
    CHECK(stk_verdict({"0"}) == MpesaVerdict::succeeded);
    for (const char* code : {"1", "1001", "1019", "1032", "1037", "2001", "SFC_IC0003"}) {
        CAPTURE(code);
        CHECK(stk_verdict({code}) == MpesaVerdict::failed);
    }
    CHECK(stk_verdict({"4999"}) == MpesaVerdict::pending);
    CHECK(stk_verdict({"12345"}) == MpesaVerdict::pending);
    CHECK(b2c_verdict({"0"}) == MpesaVerdict::succeeded);
    CHECK(b2c_verdict({"2001"}) == MpesaVerdict::failed);
    CHECK(b2c_verdict({"17"}) == MpesaVerdict::pending);
}

TEST_CASE("hodi's request ids lead back to their outbox row and nothing else does") {
    CHECK(payout_id(42) == "hodi-42");
    CHECK(status_query_id(42, 3) == "hodi-42-status-3");
    CHECK(row_of_request_id("hodi-42") == 42);
    CHECK(row_of_request_id("hodi-42-status-3") == 42);
    CHECK_FALSE(row_of_request_id("hodi-42-3").has_value());
    CHECK_FALSE(row_of_request_id("hodi--1").has_value());
    CHECK_FALSE(row_of_request_id("hodi-0").has_value());
    CHECK_FALSE(row_of_request_id("AG_20260314_0001").has_value());
    CHECK_FALSE(row_of_request_id("hodi-x").has_value());
}

TEST_CASE("a B2C result and a status result state what M-Pesa did, a queue timeout nothing") {
    auto paid = parse_b2c_result(
        R"({"Result":{"ResultType":0,"ResultCode":0,"ResultDesc":"ok",)"
        R"("OriginatorConversationID":"x","ConversationID":"AG_1","TransactionID":"TCF1",)"
        R"("ResultParameters":{"ResultParameter":[{"Key":"TransactionAmount","Value":500},)"
        R"({"Key":"ReceiverPartyPublicName","Value":"254712345678 - JANE"}]}}})");
    REQUIRE(paid.value);
    paid.value->originator_conversation_id = "hodi-7";
    const hodi::storage::MpesaResult result = b2c_result(*paid.value);
    CHECK(result.outbox_id == 7);
    CHECK(result.verdict == MpesaVerdict::succeeded);
    CHECK(result.amount == 50'000);
    CHECK(result.phone == "254712345678");
    CHECK(result.provider_ref == "AG_1");
    CHECK(b2c_timeout(*paid.value).verdict == MpesaVerdict::pending);

    const std::string status_body =
        R"({"Result":{"ResultType":0,"ResultCode":0,"ResultDesc":"ok",)"
        R"("OriginatorConversationID":"hodi-7-status-2","ConversationID":"AG_9",)"
        R"("ResultParameters":{"ResultParameter":[{"Key":"ReceiptNo","Value":"TCF1"},)"
        R"({"Key":"Amount","Value":"500"},{"Key":"TransactionStatus","Value":"Completed"},)"
        R"({"Key":"OriginatorConversationID","Value":"hodi-7"}]}}})";
    const auto status = parse_status_result(status_body);
    REQUIRE(status.value);
    const hodi::storage::MpesaResult found = status_result(*status.value);
    CHECK(found.outbox_id == 7);
    CHECK(found.verdict == MpesaVerdict::succeeded);
    CHECK(found.amount == 50'000);
    CHECK(found.receipt == "TCF1");
    // Another payout's id in the parameters: the query's row is not believed.
    auto other = *status.value;
    other.original_id = "hodi-8";
    CHECK_FALSE(status_result(other).outbox_id.has_value());
    other = *status.value;
    other.result = {"2032"};
    CHECK(status_result(other).verdict == MpesaVerdict::pending);
    other = *status.value;
    other.transaction_status = "Failed";
    CHECK(status_result(other).verdict == MpesaVerdict::failed);
    CHECK_FALSE(parse_status_result(R"({"Result":{"ResultCode":0}})").value.has_value());
}
