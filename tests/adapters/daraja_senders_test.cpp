// What Daraja's answers mean for money: call verdicts, request outcomes, ResultCodes, hodi's
// request ids, and the results its callbacks state.
#include <doctest/doctest.h>

#include "adapters/daraja/daraja_client.hpp"
#include "adapters/daraja/daraja_senders.hpp"
#include "adapters/daraja/mpesa_words.hpp"

namespace {

using namespace hodi::adapters::daraja;
using hodi::adapters::SendOutcome;
using hodi::storage::MpesaVerdict;
using hodi::storage::OutboxOutcome;
using namespace std::chrono_literals;

const hodi::storage::Seconds now{std::chrono::seconds{1'800'000'000}};

std::string error_body(std::string_view code, std::string_view message) {
    return R"({"requestId":"1-2-3","errorCode":")" + std::string(code) +
           R"(","errorMessage":")" + std::string(message) + R"("})";
}

}  // namespace

TEST_CASE("a reply's verdict tells a refusal from a request Daraja may have acted on") {
    CHECK(classify_reply(200, "{}").verdict == CallVerdict::answered);
    CHECK(classify_reply(400, error_body("400.002.02", "Bad Request - Invalid Timestamp"))
              .verdict == CallVerdict::refused);
    CHECK(classify_reply(500, error_body("500.003.02", "Spike Arrest Violation")).verdict ==
          CallVerdict::throttled);
    CHECK(classify_reply(500, error_body("500.003.03", "Quota Violation")).verdict ==
          CallVerdict::throttled);
    // Being processed is an answer (STK Query's pending); the same code for a wrong Password is
    // not, and a bare 500 may come after Daraja acted.
    CHECK(classify_reply(500, error_body("500.001.1001", "The transaction is being processed"))
              .verdict == CallVerdict::answered);
    CHECK(classify_reply(500, error_body("500.001.1001", "Wrong credentials")).verdict ==
          CallVerdict::unknown);
    CHECK(classify_reply(500, "").verdict == CallVerdict::unknown);
    CHECK(classify_reply(503, "busy").verdict == CallVerdict::unknown);
    const DarajaAnswer refused = classify_reply(401, error_body("401.002.01", "Invalid Token"));
    CHECK(refused.error->invalid_token());
    CHECK(refused.detail == "HTTP 401 401.002.01 Invalid Token");
}

TEST_CASE("a request's answer becomes the outbox outcome that never pays twice") {
    DarajaAnswer accepted = classify_reply(
        200, R"({"MerchantRequestID":"1","CheckoutRequestID":"ws_CO_9","ResponseCode":"0",)"
             R"("ResponseDescription":"Success","CustomerMessage":"Success"})");
    const SendOutcome pushed = outcome_of_request(accepted, now + 60s, true);
    CHECK(pushed.outcome == OutboxOutcome::accepted);
    CHECK(pushed.provider_ref == "ws_CO_9");
    CHECK(pushed.at == now + 60s);
    DarajaAnswer payout = classify_reply(
        200, R"({"ConversationID":"AG_1","OriginatorConversationID":"hodi-7",)"
             R"("ResponseCode":"0","ResponseDescription":"Accept the service request"})");
    CHECK(outcome_of_request(payout, now, false).provider_ref == "AG_1");
    DarajaAnswer declined = classify_reply(
        200, R"({"ConversationID":"","OriginatorConversationID":"hodi-7",)"
             R"("ResponseCode":"1","ResponseDescription":"Rejected"})");
    CHECK(outcome_of_request(declined, now, false).outcome == OutboxOutcome::failed);
    // A 2xx hodi cannot read may still be a request Daraja took.
    CHECK(outcome_of_request(classify_reply(200, "<html>"), now, false).outcome ==
          OutboxOutcome::unknown);
    DarajaAnswer lost;
    lost.verdict = CallVerdict::unknown;
    CHECK(outcome_of_request(lost, now, false).outcome == OutboxOutcome::unknown);
    lost.verdict = CallVerdict::not_sent;
    CHECK(outcome_of_request(lost, now, false).outcome == OutboxOutcome::retry);
    lost.verdict = CallVerdict::throttled;
    CHECK(outcome_of_request(lost, now, false).outcome == OutboxOutcome::retry);
    lost.verdict = CallVerdict::refused;
    CHECK(outcome_of_request(lost, now, true).outcome == OutboxOutcome::failed);
}

TEST_CASE("an STK Query's answer settles a collection only when Daraja says how it ended") {
    const auto query_answer = [](std::string_view code) {
        return classify_reply(
            200, R"({"ResponseCode":"0","ResponseDescription":"accepted","MerchantRequestID":"1",)"
                 R"("CheckoutRequestID":"ws_CO_9","ResultCode":")" + std::string(code) +
                     R"(","ResultDesc":"said"})");
    };
    CHECK(outcome_of_query(query_answer("0"), "ws_CO_9", now).outcome ==
          OutboxOutcome::succeeded);
    CHECK(outcome_of_query(query_answer("0"), "ws_CO_9", now).provider_ref == "ws_CO_9");
    const SendOutcome cancelled = outcome_of_query(query_answer("1032"), "ws_CO_9", now);
    CHECK(cancelled.outcome == OutboxOutcome::failed);
    CHECK(cancelled.error == "ResultCode 1032: said");
    // Still with the subscriber, by either of Daraja's two ways of saying so: asked again.
    const SendOutcome processing = outcome_of_query(
        classify_reply(500, error_body("500.001.1001", "The transaction is being processed")),
        "ws_CO_9", now + 120s);
    CHECK(processing.outcome == OutboxOutcome::accepted);
    CHECK(processing.at == now + 120s);
    CHECK(outcome_of_query(query_answer("4999"), "ws_CO_9", now).outcome ==
          OutboxOutcome::accepted);
    // No answer, or one hodi cannot read, says nothing about the money.
    CHECK(outcome_of_query(classify_reply(500, ""), "ws_CO_9", now).outcome ==
          OutboxOutcome::unknown);
    CHECK(outcome_of_query(classify_reply(200, "<html>"), "ws_CO_9", now).outcome ==
          OutboxOutcome::unknown);
    // Daraja holds nothing under the id: no prompt was shown, nothing can have been paid.
    const SendOutcome unknown_id = outcome_of_query(
        classify_reply(400, error_body("400.002.02", "Bad Request - Invalid CheckoutRequestID")),
        "ws_CO_9", now);
    CHECK(unknown_id.outcome == OutboxOutcome::failed);
    // Any other refusal of the question is not an answer about the money.
    CHECK(outcome_of_query(classify_reply(400, error_body("400.002.02",
                                                          "Bad Request - Invalid Timestamp")),
                           "ws_CO_9", now)
              .outcome == OutboxOutcome::unknown);
}

TEST_CASE("status questions come later each time, up to the cap") {
    const MpesaSenderSettings settings;
    CHECK(next_check(settings, 0) == 60s);
    CHECK(next_check(settings, 1) == 60s);
    CHECK(next_check(settings, 2) == 120s);
    CHECK(next_check(settings, 4) == 480s);
    CHECK(next_check(settings, 40) == std::chrono::hours{1});
}

