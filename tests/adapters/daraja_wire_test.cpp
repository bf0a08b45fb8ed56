// Daraja's wire format: the request fields Safaricom checks (Password, Timestamp, the prompt's
// texts, callback URLs) and the callback bodies it sends, from the recorded samples in
// tests/vectors and the variants PROTOCOLS.md §3 says occur.
#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>

#include "adapters/daraja/callback_bodies.hpp"
#include "adapters/daraja/request_fields.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

namespace daraja = adapters::daraja;
namespace json = boost::json;

std::string raw_body(std::string_view vector) {
    return std::string(load_vector(vector).at("http").at("body_raw").as_string());
}

}  // namespace

TEST_CASE("the STK password is base64 of shortcode, passkey and timestamp") {
    const json::value cases = load_vector("daraja_stk_password_vector.json");
    int checked = 0;
    for (const json::value& entry : cases.at("cases").as_array()) {
        const json::object& c = entry.as_object();
        CAPTURE(c.at("BusinessShortCode").as_string());
        CHECK(daraja::stk_password(c.at("BusinessShortCode").as_string(),
                                   c.at("Passkey").as_string(), c.at("Timestamp").as_string()) ==
              std::string_view(c.at("Password").as_string()));
        ++checked;
    }
    CHECK(checked == 2);
}

TEST_CASE("the timestamp is Kenyan time, also across midnight and a year's end") {
    using namespace std::chrono;
    const auto at = [](int y, unsigned m, unsigned d, int h, int min, int s) {
        return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
    };
    CHECK(daraja::kenya_timestamp(at(2016, 2, 16, 13, 56, 27)) == "20160216165627");
    CHECK(daraja::kenya_timestamp(at(2026, 3, 14, 22, 30, 0)) == "20260315013000");
    CHECK(daraja::kenya_timestamp(at(2026, 12, 31, 21, 0, 5)) == "20270101000005");
    // Fractions of a second are dropped, never rounded up into the next second.
    CHECK(daraja::kenya_timestamp(at(2026, 3, 14, 7, 0, 0) + milliseconds(999)) ==
          "20260314100000");
}

TEST_CASE("prompt texts Daraja would drop are refused with the reason") {
    CHECK_FALSE(daraja::prompt_text_problem("HODI 0712", daraja::account_reference_chars_max));
    CHECK_FALSE(daraja::prompt_text_problem("Savings goal1", daraja::transaction_desc_chars_max));
    const auto too_long =
        daraja::prompt_text_problem("HODI-SAVINGS1", daraja::account_reference_chars_max);
    REQUIRE(too_long);
    CHECK(too_long->find("13 characters") != std::string::npos);
    // The recorded request's reference, with its hyphen, is one Daraja takes.
    const json::value request = load_vector("daraja_stk_push_request.json");
    const json::object& body = request.at("http").at("body").as_object();
    CHECK_FALSE(daraja::prompt_text_problem(body.at("AccountReference").as_string(),
                                            daraja::account_reference_chars_max));
    CHECK_FALSE(daraja::prompt_text_problem(body.at("TransactionDesc").as_string(),
                                            daraja::transaction_desc_chars_max));
    const auto ampersand = daraja::prompt_text_problem("HODI&1", 12);
    REQUIRE(ampersand);
    CHECK(ampersand->find("'&'") != std::string::npos);
    CHECK(daraja::prompt_text_problem("Ada\xc5\x9f", 13));  // not ASCII
    CHECK(daraja::prompt_text_problem("", 12));
}

TEST_CASE("callback URLs Daraja refuses are named with every reason") {
    CHECK(daraja::callback_url_problems("https://pay.example.co.ke/daraja/abc/stk").empty());
    CHECK(daraja::callback_url_problems("http://pay.example.co.ke/daraja/abc/stk").size() == 1);
    CHECK(daraja::callback_url_problems("https://MPESA.example.com/daraja/t/stk").size() == 1);
    // "M-Pesa" and "exec" inside other words count too, in any case.
    CHECK(daraja::callback_url_problems("https://x.example/M-Pesa/Executor").size() == 2);
    for (const char* word : {"safaricom", "cmd", "sql", "query"}) {
        CAPTURE(word);
        CHECK(daraja::callback_url_problems(std::string("https://x.example/") + word).size() == 1);
    }
}

TEST_CASE("an STK success callback gives amount, receipt, time and phone") {
    const auto parsed = daraja::parse_stk_callback(raw_body("daraja_stk_callback_success.json"));
    REQUIRE_MESSAGE(parsed.value, parsed.problem);
    const daraja::StkCallback& stk = *parsed.value;
    CHECK(stk.checkout_request_id == "ws_CO_14032026103015123712345678");
    CHECK(stk.merchant_request_id == "46127-19384756-1");
    CHECK(stk.result.success());
    CHECK(stk.amount_kes == 150);
    CHECK(stk.receipt == "TCE4XK7P2Q");
    CHECK(stk.transaction_time == "20260314103045");
    CHECK(stk.phone == "+254712345678");
}

TEST_CASE("an STK cancellation has its code and no metadata") {
    const auto parsed = daraja::parse_stk_callback(raw_body("daraja_stk_callback_cancelled.json"));
    REQUIRE_MESSAGE(parsed.value, parsed.problem);
    CHECK(parsed.value->result.text == "1032");
    CHECK_FALSE(parsed.value->result.success());
    CHECK_FALSE(parsed.value->amount_kes);
    CHECK_FALSE(parsed.value->receipt);
}

TEST_CASE("STK callbacks in the other forms Daraja sends are read alike") {
    // ResultCode as a string, items in another order, some missing, the phone as a string.
    const auto parsed = daraja::parse_stk_callback(
        R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"ws_CO_1",)"
        R"("ResultCode":"0","ResultDesc":"ok","CallbackMetadata":{"Item":[)"
        R"({"Name":"PhoneNumber","Value":"0712345678"},{"Name":"Balance"},)"
        R"({"Name":"Amount","Value":"150.00"}]}}}})");
    REQUIRE_MESSAGE(parsed.value, parsed.problem);
    CHECK(parsed.value->result.success());
    CHECK(parsed.value->amount_kes == 150);
    CHECK(parsed.value->phone == "+254712345678");
    CHECK_FALSE(parsed.value->receipt);  // missing: the reconciler asks for it
    const auto code = daraja::parse_stk_callback(
        R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c",)"
        R"("ResultCode":"SFC_IC0003","ResultDesc":"The operator does not exist"}}})");
    REQUIRE(code.value);
    CHECK(code.value->result.text == "SFC_IC0003");
    // A phone that is no Kenyan number is dropped, not trusted: the payment is matched on
    // the stored request.
    const auto phone = daraja::parse_stk_callback(
        R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c",)"
        R"("ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"PhoneNumber","Value":12}]}}}})");
    REQUIRE(phone.value);
    CHECK_FALSE(phone.value->phone);
}

TEST_CASE("STK callbacks that cannot be read are refused with the reason") {
    struct Case {
        const char* body;
        const char* reason;
    };
    const Case cases[] = {
        {"", "not JSON"},
        {"{\"Body\":", "not JSON"},
        {"[1,2]", "not a JSON object"},
        {R"({"Body":{}})", "stkCallback"},
        {R"({"Body":{"stkCallback":{"MerchantRequestID":"m","ResultCode":0}}})",
         "CheckoutRequestID"},
        {R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c"}}})",
         "ResultCode"},
        {R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c",)"
         R"("ResultCode":0.5}}})",
         "ResultCode"},
        {R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c",)"
         R"("ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":150.5}]}}}})",
         "whole shillings"},
        {R"({"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c",)"
         R"("ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":-5}]}}}})",
         "whole shillings"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.body);
        const auto parsed = daraja::parse_stk_callback(c.body);
        CHECK_FALSE(parsed.value);
        CHECK(parsed.problem.find(c.reason) != std::string::npos);
    }
}

TEST_CASE("B2C results: paid with amount and receipt, failed with its code") {
    const auto paid = daraja::parse_b2c_result(raw_body("daraja_b2c_result_success.json"));
    REQUIRE_MESSAGE(paid.value, paid.problem);
    CHECK(paid.value->originator_conversation_id == "hodi-b2c-20260314-000042");
    CHECK(paid.value->conversation_id == "AG_20260314_2010a1b2c3d4e5f6a7b8");
    CHECK(paid.value->result.success());
    CHECK(paid.value->amount_kes == 500);
    CHECK(paid.value->receipt == "TCF7QW2ZLM");
    CHECK(paid.value->completed_time == "20260314103107");
    CHECK(paid.value->receiver_name == "254712345678 - WANJIKU KAMAU");
    const auto failed = daraja::parse_b2c_result(raw_body("daraja_b2c_result_failed.json"));
    REQUIRE_MESSAGE(failed.value, failed.problem);
    CHECK(failed.value->result.text == "2001");
    CHECK_FALSE(failed.value->amount_kes);
    // The flat list one SDK models, and a queue timeout with no parameters at all.
    const auto flat = daraja::parse_b2c_result(
        R"({"Result":{"ResultCode":"0","OriginatorConversationID":"o","ResultParameters":)"
        R"([{"Key":"TransactionAmount","Value":"500.00"}]}})");
    REQUIRE(flat.value);
    CHECK(flat.value->amount_kes == 500);
    const auto timeout = daraja::parse_b2c_result(
        R"({"Result":{"ResultCode":1,"ResultDesc":"timed out","OriginatorConversationID":"o"}})");
    REQUIRE(timeout.value);
    CHECK(timeout.value->result.text == "1");
    CHECK(daraja::parse_b2c_result(R"({"Result":{"ResultCode":0}})").problem.find(
              "OriginatorConversationID") != std::string::npos);
}

TEST_CASE("C2B payments: whole amount, account folded, payer kept as an opaque value") {
    for (const char* vector : {"daraja_c2b_validation.json", "daraja_c2b_confirmation.json"}) {
        CAPTURE(vector);
        const auto parsed = daraja::parse_c2b_payment(raw_body(vector));
        REQUIRE_MESSAGE(parsed.value, parsed.problem);
        CHECK(parsed.value->trans_id == "TCG2MN8QRS");
        CHECK(parsed.value->amount_kes == 150);
        CHECK(parsed.value->account == "HODI123");
        CHECK(parsed.value->trans_time == "20260314111502");
        CHECK(parsed.value->business_short_code == "600984");
        CHECK(parsed.value->payer == "2547 ***** 678");
    }
    const auto folded = daraja::parse_c2b_payment(
        R"({"TransID":"T1","TransTime":"20260314111502","TransAmount":"20",)"
        R"("BusinessShortCode":600984,"BillRefNumber":"  hodi123 "})");
    REQUIRE(folded.value);
    CHECK(folded.value->account == "HODI123");
    CHECK(folded.value->business_short_code == "600984");
    CHECK(daraja::parse_c2b_payment(R"({"TransID":"T1","TransTime":"20260314111502",)"
                                    R"("TransAmount":"20.50"})")
              .problem.find("whole shillings") != std::string::npos);
    CHECK(daraja::parse_c2b_payment(R"({"TransTime":"20260314111502","TransAmount":"20"})")
              .problem.find("TransID") != std::string::npos);
}

}  // namespace hodi::test
