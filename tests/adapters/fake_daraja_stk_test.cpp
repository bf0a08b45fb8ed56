// The fake's STK Push and Query (PROTOCOLS.md §3.4-3.7) over loopback: outcomes by amount and
// phone, the query's pending answer, and a tester answering held prompts. Every answer and
// callback is read with hodi's own parsers.
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <thread>

#include "adapters/daraja/callback_bodies.hpp"
#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/daraja/requests.hpp"
#include "adapters/http_client.hpp"
#include "tests/adapters/fake_daraja_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;

daraja::StkCallback only_callback(FakeRig& rig) {
    REQUIRE(rig.recorder().wait_for(1, stk_callback_url));
    const auto calls = rig.recorder().calls_to(stk_callback_url);
    REQUIRE(calls.size() == 1);
    const auto parsed = daraja::parse_stk_callback(calls[0].body);
    REQUIRE_MESSAGE(parsed.value, parsed.problem);
    return *parsed.value;
}

// A tester's call on the sandbox routes, which need no token (HttpClient sends none).
adapters::HttpResponse tester(FakeRig& rig, std::string_view method, std::string_view target,
                              std::string_view body = "") {
    adapters::HttpClient client("127.0.0.1", rig.port());
    auto response = client.request(method, target, "application/json", body);
    REQUIRE(response.has_value());
    return *response;
}

FakeDarajaSettings held_settings() {
    FakeDarajaSettings settings = fast_settings();
    settings.prompt_expiry = 400ms;
    return settings;
}

}  // namespace

TEST_CASE("fake Daraja: a paid STK push calls back with the metadata hodi reads") {
    // Goal: §3.5's answer and §3.6's success callback, Daraja's number formats included (Amount
    // 150.00, Balance without Value, PhoneNumber past 2^31). Method: hodi's stk_push_body.
    FakeRig rig;
    const std::string token = rig.token();
    const DarajaReply reply = rig.post("/mpesa/stkpush/v1/processrequest",
                                       daraja::stk_push_body(rig.stk_request(150)), token);
    REQUIRE(reply.status == 200);
    const auto accepted = daraja::parse_accepted(reply.body);
    REQUIRE(accepted.value);
    CHECK(accepted.value->response.success());
    CHECK(accepted.value->description == "Success. Request accepted for processing");
    const std::string checkout = accepted.value->checkout_request_id;
    CHECK(checkout.starts_with("ws_CO_"));
    CHECK(checkout.size() == 32);
    CHECK(checkout.ends_with("712345678"));
    CHECK(!accepted.value->merchant_request_id.empty());

    const daraja::StkCallback callback = only_callback(rig);
    CHECK(callback.checkout_request_id == checkout);
    CHECK(callback.merchant_request_id == accepted.value->merchant_request_id);
    CHECK(callback.result.text == "0");
    CHECK(callback.amount_kes == 150);
    REQUIRE(callback.receipt);
    CHECK(callback.receipt->size() == 10);
    CHECK(callback.transaction_time->size() == 14);
    CHECK(callback.phone == "+254712345678");
    const std::string body = rig.recorder().calls()[0].body;
    CHECK(body.find(R"({"Name":"Amount","Value":150.00})") != std::string::npos);
    CHECK(body.find(R"({"Name":"Balance"})") != std::string::npos);
    CHECK(body.find(R"("Value":254712345678})") != std::string::npos);
    CHECK(body.find(R"("ResultCode":0,)") != std::string::npos);

    CHECK(eventually([&] { return rig.fake().ledger().callbacks_delivered == 1; }));
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.prompts_sent == 1);
    CHECK(ledger.stk_results.at("0") == 1);
    CHECK(ledger.stk_callbacks_delivered.at("0") == 1);
    CHECK(ledger.collected_cents == 15'000);
}

TEST_CASE("fake Daraja: each sandbox amount gives its STK failure code, without metadata") {
    // Goal: the default outcome table (an amount equal to a code fails with it), and overrides
    // by phone and by amount, which win in that order.
    for (const int code : {1, 1001, 1019, 1032, 1037, 2001}) {
        CAPTURE(code);
        FakeRig rig;
        rig.push(rig.token(), code);
        const daraja::StkCallback callback = only_callback(rig);
        CHECK(callback.result.text == std::to_string(code));
        CHECK(!callback.result_desc.empty());
        CHECK(!callback.amount_kes);
        CHECK(!callback.receipt);
        CHECK(rig.recorder().calls()[0].body.find("CallbackMetadata") == std::string::npos);
        CHECK(rig.fake().ledger().collected_cents == 0);
    }
    FakeDarajaSettings settings = fast_settings();
    settings.outcomes.stk_by_amount[500] = 1032;
    settings.outcomes.stk_by_phone[254799000111] = 1037;
    settings.outcomes.stk_by_phone[254799000222] = 0;
    FakeRig rig(settings);
    const std::string token = rig.token();
    const std::string by_amount = rig.push(token, 500);
    const std::string by_phone = rig.push(token, 500, 254799000111);
    const std::string phone_wins = rig.push(token, 1032, 254799000222);
    REQUIRE(rig.recorder().wait_for(3, stk_callback_url));
    std::map<std::string, std::string> codes;
    for (const auto& call : rig.recorder().calls()) {
        const auto parsed = daraja::parse_stk_callback(call.body);
        REQUIRE(parsed.value);
        codes[parsed.value->checkout_request_id] = parsed.value->result.text;
    }
    CHECK(codes[by_amount] == "1032");
    CHECK(codes[by_phone] == "1037");
    CHECK(codes[phone_wins] == "0");
}

TEST_CASE("fake Daraja: STK Query is pending until the prompt is answered, then final") {
    // Goal: §3.7: 500.001.1001 while the prompt is open, then ResultCode as a string; an
    // unknown CheckoutRequestID is refused. Method: a held phone keeps the prompt open.
    FakeRig rig(held_settings());
    const std::string token = rig.token();
    tester(rig, "POST", "/sandbox/phones/254712345678/hold");
    const std::string checkout = rig.push(token, 150);
    DarajaReply reply = rig.post("/mpesa/stkpushquery/v1/query", rig.stk_query(checkout), token);
    CHECK(reply.status == 500);
    const auto pending = daraja::parse_error_body(reply.body);
    REQUIRE(pending);
    CHECK(pending->still_processing());
    CHECK(pending->request_id == checkout);
    REQUIRE(tester(rig, "POST", "/sandbox/prompts/" + checkout + "/cancel").status == 200);
    reply = rig.post("/mpesa/stkpushquery/v1/query", rig.stk_query(checkout), token);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find(R"("ResultCode":"1032")") != std::string::npos);
    const auto answer = daraja::parse_stk_query_response(reply.body);
    REQUIRE(answer.value);
    CHECK(!answer.value->pending);
    CHECK(answer.value->result.text == "1032");
    CHECK(answer.value->result_desc == "Request cancelled by user");
    reply = rig.post("/mpesa/stkpushquery/v1/query", rig.stk_query("ws_CO_000"), token);
    CHECK(reply.status == 400);
    CHECK(daraja::parse_error_body(reply.body)->message ==
          "Bad Request - Invalid CheckoutRequestID");
}

TEST_CASE("fake Daraja: a held phone's prompt waits for the tester and takes the PIN") {
    // Goal: the phone simulator's loop: hold, list the prompt as the handset shows it, accept
    // with the sandbox PIN; the callback follows the tester, not the delay.
    FakeRig rig(held_settings());
    const std::string token = rig.token();
    const auto held = tester(rig, "POST", "/sandbox/phones/0712345678/hold");
    CHECK(held.body.find(R"("held":true)") != std::string::npos);
    const std::string checkout = rig.push(token, 150);
    const auto listing = tester(rig, "GET", "/sandbox/phones/254712345678/prompts");
    REQUIRE(listing.status == 200);
    const auto prompts = boost::json::parse(listing.body).at("prompts").as_array();
    REQUIRE(prompts.size() == 1);
    CHECK(prompts[0].at("checkout_request_id").as_string() == checkout);
    CHECK(prompts[0].at("amount_kes").as_int64() == 150);
    CHECK(prompts[0].at("account_reference").as_string() == "HODI-000123");
    CHECK(prompts[0].at("business_name").as_string() == rig.settings().business_name);
    std::this_thread::sleep_for(100ms);  // past callback_delay: still waiting
    CHECK(rig.recorder().calls().empty());
    const auto waiting =
        boost::json::parse(tester(rig, "GET", "/sandbox/prompts/" + checkout).body);
    CHECK(waiting.at("answered").as_bool() == false);
    CHECK(waiting.at("callbacks_delivered").as_int64() == 0);
    const auto accepted =
        tester(rig, "POST", "/sandbox/prompts/" + checkout + "/accept", R"({"pin":"0000"})");
    CHECK(accepted.status == 200);
    const daraja::StkCallback callback = only_callback(rig);
    CHECK(callback.result.text == "0");
    CHECK(callback.amount_kes == 150);
    const auto status = boost::json::parse(tester(rig, "GET", "/sandbox/prompts/" + checkout).body);
    CHECK(status.at("answered").as_bool());
    CHECK(status.at("result_code").as_string() == "0");
    CHECK(tester(rig, "GET", "/sandbox/prompts/ws_CO_missing").status == 404);
    const auto again =
        tester(rig, "POST", "/sandbox/prompts/" + checkout + "/accept", R"({"pin":"0000"})");
    CHECK(again.status == 409);
    CHECK(tester(rig, "POST", "/sandbox/prompts/ws_CO_missing/cancel").status == 404);
    CHECK(tester(rig, "POST", "/sandbox/phones/12345/hold").status == 400);
    CHECK(boost::json::parse(tester(rig, "GET", "/sandbox/phones/254712345678/prompts").body)
              .at("prompts")
              .as_array()
              .empty());
}

TEST_CASE("fake Daraja: a held prompt answers 1032 cancelled, 2001 wrong PIN, 1037 unanswered") {
    FakeRig rig(held_settings());
    const std::string token = rig.token();
    tester(rig, "POST", "/sandbox/phones/254712345678/hold");
    const std::string cancelled = rig.push(token, 150);
    const std::string wrong_pin = rig.push(token, 150);
    const std::string unanswered = rig.push(token, 150);
    CHECK(tester(rig, "POST", "/sandbox/prompts/" + cancelled + "/cancel").status == 200);
    CHECK(tester(rig, "POST", "/sandbox/prompts/" + wrong_pin + "/accept", R"({"pin":"9999"})")
              .status == 200);
    const std::string again = R"({"pin":"0000"})";
    CHECK(tester(rig, "POST", "/sandbox/prompts/" + wrong_pin + "/accept", again).status == 409);
    // The third is left alone until prompt_expiry.
    REQUIRE(rig.recorder().wait_for(3, stk_callback_url, 3'000ms));
    std::map<std::string, std::string> codes;
    for (const auto& call : rig.recorder().calls()) {
        const auto parsed = daraja::parse_stk_callback(call.body);
        REQUIRE(parsed.value);
        codes[parsed.value->checkout_request_id] = parsed.value->result.text;
    }
    CHECK(codes[cancelled] == "1032");
    CHECK(codes[wrong_pin] == "2001");
    CHECK(codes[unanswered] == "1037");
    CHECK(rig.fake().ledger().collected_cents == 0);
}

TEST_CASE("fake Daraja: a released phone's prompt is answered by the outcome rule") {
    FakeDarajaSettings settings = held_settings();
    settings.prompt_expiry = 5'000ms;
    FakeRig rig(settings);
    tester(rig, "POST", "/sandbox/phones/254712345678/hold");
    rig.push(rig.token(), 1001);
    std::this_thread::sleep_for(60ms);
    CHECK(rig.recorder().calls().empty());
    tester(rig, "POST", "/sandbox/phones/254712345678/release");
    CHECK(only_callback(rig).result.text == "1001");
}

TEST_CASE("fake Daraja: a wrong PartyB or TransactionType is accepted, then fails SFC_IC0003") {
    // Goal: the failure a misconfigured till gets (PROTOCOLS.md §3.4): no prompt reaches the
    // phone, and the callback's ResultCode is a string.
    FakeDarajaSettings settings = fast_settings();
    settings.till_number = 5'123'456;
    FakeRig till(settings);
    auto request = till.stk_request(150);
    request.party_b = 174379;  // the store number, where the till belongs
    REQUIRE(
        till.post("/mpesa/stkpush/v1/processrequest", daraja::stk_push_body(request), till.token())
            .status == 200);
    daraja::StkCallback callback = only_callback(till);
    CHECK(callback.result.text == "SFC_IC0003");
    CHECK(till.recorder().calls()[0].body.find(R"("ResultCode":"SFC_IC0003")") !=
          std::string::npos);
    CHECK(till.fake().ledger().prompts_sent == 0);

    FakeRig paybill;
    request = paybill.stk_request(150);
    request.till = true;  // CustomerBuyGoodsOnline on a paybill
    REQUIRE(paybill
                .post("/mpesa/stkpush/v1/processrequest", daraja::stk_push_body(request),
                      paybill.token())
                .status == 200);
    callback = only_callback(paybill);
    CHECK(callback.result.text == "SFC_IC0003");

    FakeRig right(settings);
    right.push(right.token(), 150);
    CHECK(only_callback(right).result.text == "0");
}

}  // namespace hodi::test
