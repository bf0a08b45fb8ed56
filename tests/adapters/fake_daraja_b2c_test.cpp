// The fake's B2C payouts and Transaction Status (PROTOCOLS.md §3.8) over loopback: results hodi
// parses, initiator checks against a real key pair, repeated ids executed (and counted) again,
// queue timeouts with and without the money moving, and status queries for known and unknown
// payouts.
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <thread>

#include "adapters/daraja/callback_bodies.hpp"
#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/daraja/requests.hpp"
#include "tests/adapters/fake_daraja_fixture.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;
constexpr std::string_view b2c_target = "/mpesa/b2c/v3/paymentrequest";
constexpr std::string_view status_target = "/mpesa/transactionstatus/v1/query";

daraja::Accepted pay(FakeRig& rig, std::string_view token, const daraja::B2cRequest& request,
                     std::string_view target = b2c_target) {
    const DarajaReply reply = rig.post(target, daraja::b2c_body(request), token);
    REQUIRE(reply.status == 200);
    const auto accepted = daraja::parse_accepted(reply.body);
    REQUIRE(accepted.value);
    CHECK(accepted.value->response.success());
    CHECK(accepted.value->description == "Accept the service request successfully.");
    CHECK(accepted.value->conversation_id.starts_with("AG_"));
    return *accepted.value;
}

daraja::B2cResult result_at(FakeRig& rig, std::string_view url, std::size_t index = 0) {
    REQUIRE(rig.recorder().wait_for(index + 1, url));
    const auto calls = rig.recorder().calls_to(url);
    const auto parsed = daraja::parse_b2c_result(calls.at(index).body);
    REQUIRE_MESSAGE(parsed.value, parsed.problem);
    return *parsed.value;
}

daraja::StatusQueryRequest status_query(const FakeRig& rig, std::string query_id,
                                        std::string original_id, std::string receipt) {
    daraja::StatusQueryRequest request;
    request.originator_conversation_id = std::move(query_id);
    request.initiator_name = rig.settings().initiator_name;
    request.security_credential = "c2FuZGJveC1jcmVkZW50aWFs";
    request.transaction_id = std::move(receipt);
    request.original_conversation_id = std::move(original_id);
    request.party_a = rig.settings().b2c_shortcode;
    request.remarks = "Reconcile";
    request.queue_timeout_url = std::string(b2c_timeout_url);
    request.result_url = std::string(status_result_url);
    return request;
}

// The ResultParameters of a status result, by Key, as text.
std::map<std::string, std::string> status_parameters(const std::string& body) {
    std::map<std::string, std::string> out;
    const auto root = boost::json::parse(body);
    const auto* parameters = root.at("Result").as_object().if_contains("ResultParameters");
    if (parameters == nullptr) return out;
    for (const auto& item : parameters->at("ResultParameter").as_array()) {
        const auto& value = item.at("Value");
        out[std::string(item.at("Key").as_string())] =
            value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
    }
    return out;
}

}  // namespace

TEST_CASE("fake Daraja: a B2C payout is accepted, paid and reported as hodi parses it") {
    // Goal: §3.8's answer and success result (nested ResultParameters, DD.MM.YYYY time), and
    // the money in the ledger. Method: hodi's b2c_body.
    FakeRig rig;
    const std::string token = rig.token();
    const daraja::Accepted accepted = pay(rig, token, rig.b2c_request("hodi-b2c-000042", 500));
    CHECK(accepted.originator_conversation_id == "hodi-b2c-000042");
    const daraja::B2cResult result = result_at(rig, b2c_result_url);
    CHECK(result.result.text == "0");
    CHECK(result.originator_conversation_id == "hodi-b2c-000042");
    CHECK(result.conversation_id == accepted.conversation_id);
    CHECK(result.amount_kes == 500);
    REQUIRE(result.receipt);
    CHECK(result.receipt->size() == 10);
    CHECK(result.transaction_id == *result.receipt);
    REQUIRE(result.completed_time);
    CHECK(result.completed_time->size() == 14);
    CHECK(result.receiver_name->starts_with("254712345678 - "));
    const std::string body = rig.recorder().calls()[0].body;
    CHECK(body.find(R"("B2CUtilityAccountAvailableFunds","Value":999500.00})") !=
          std::string::npos);
    CHECK(body.find(R"("Key":"TransactionAmount","Value":500})") != std::string::npos);
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.b2c_accepted.at("hodi-b2c-000042") == 1);
    CHECK(ledger.b2c_executions.at("hodi-b2c-000042") == 1);
    CHECK(ledger.b2c_duplicate_executions == 0);
    CHECK(ledger.paid_out_cents == 50'000);
}

TEST_CASE("fake Daraja: B2C failures carry no parameters and move no money") {
    // Goal: a failure by amount (1: insufficient) and a wrong initiator (2001, decided after
    // the request was accepted, as Daraja does) look like the recorded failure vector.
    FakeRig rig;
    const std::string token = rig.token();
    pay(rig, token, rig.b2c_request("hodi-b2c-poor", 1));
    auto stranger = rig.b2c_request("hodi-b2c-stranger", 500);
    stranger.initiator_name = "someone-else";
    pay(rig, token, stranger);
    REQUIRE(rig.recorder().wait_for(2, b2c_result_url));
    std::map<std::string, daraja::B2cResult> results;
    for (const auto& call : rig.recorder().calls()) {
        auto parsed = daraja::parse_b2c_result(call.body);
        REQUIRE(parsed.value);
        CHECK(call.body.find("ResultParameters") == std::string::npos);
        results[parsed.value->originator_conversation_id] = *parsed.value;
    }
    CHECK(results["hodi-b2c-poor"].result.text == "1");
    CHECK(results["hodi-b2c-stranger"].result.text == "2001");
    CHECK(results["hodi-b2c-stranger"].result_desc == "The initiator information is invalid.");
    CHECK(results["hodi-b2c-stranger"].transaction_id == "TCF0000000");
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.paid_out_cents == 0);
    CHECK(ledger.b2c_executions.empty());
    CHECK(ledger.b2c_accepted.size() == 2);
}

TEST_CASE("fake Daraja: a repeated OriginatorConversationID pays twice and is counted") {
    // Goal: the fake is as unforgiving as M-Pesa, so hodi's tests can assert it never resends.
    FakeRig rig;
    const std::string token = rig.token();
    pay(rig, token, rig.b2c_request("hodi-b2c-twice", 300));
    pay(rig, token, rig.b2c_request("hodi-b2c-twice", 300));
    REQUIRE(rig.recorder().wait_for(2, b2c_result_url));
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.b2c_accepted.at("hodi-b2c-twice") == 2);
    CHECK(ledger.b2c_executions.at("hodi-b2c-twice") == 2);
    CHECK(ledger.b2c_duplicate_executions == 1);
    CHECK(ledger.paid_out_cents == 60'000);
    CHECK(result_at(rig, b2c_result_url, 0).receipt != result_at(rig, b2c_result_url, 1).receipt);
}

TEST_CASE("fake Daraja: SecurityCredential is checked against the sandbox key pair") {
    // Goal: hodi in sandbox mode encrypts to the fake's public key with its real code; the
    // fake decrypts and compares. Method: a fresh key pair, hodi's security_credential().
    std::string problem;
    const auto keys = daraja::generate_initiator_keys(problem);
    REQUIRE_MESSAGE(keys, problem);
    CHECK(keys->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    CHECK(keys->public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    FakeDarajaSettings settings = fast_settings();
    settings.initiator_private_key_pem = keys->private_key_pem;
    settings.initiator_password = "Safaricom#2026";
    FakeRig rig(settings);
    const std::string token = rig.token();
    auto right = rig.b2c_request("hodi-b2c-right", 200);
    const auto credential =
        daraja::security_credential(keys->public_key_pem, "Safaricom#2026", problem);
    REQUIRE_MESSAGE(credential, problem);
    right.security_credential = *credential;
    pay(rig, token, right);
    auto wrong = rig.b2c_request("hodi-b2c-wrong", 200);
    wrong.security_credential =
        daraja::security_credential(keys->public_key_pem, "Safaricom#2025", problem).value();
    pay(rig, token, wrong);
    auto garbage = rig.b2c_request("hodi-b2c-garbage", 200);
    garbage.security_credential = "not base64 at all";
    pay(rig, token, garbage);
    REQUIRE(rig.recorder().wait_for(3, b2c_result_url));
    std::map<std::string, std::string> codes;
    for (const auto& call : rig.recorder().calls()) {
        const auto parsed = daraja::parse_b2c_result(call.body);
        REQUIRE(parsed.value);
        codes[parsed.value->originator_conversation_id] = parsed.value->result.text;
    }
    CHECK(codes["hodi-b2c-right"] == "0");
    CHECK(codes["hodi-b2c-wrong"] == "2001");
    CHECK(codes["hodi-b2c-garbage"] == "2001");
}

TEST_CASE("fake Daraja: B2C v1 and the recorded v3 request are served too") {
    // Goal: v1 has no OriginatorConversationID of its own (the fake makes one); the vector's
    // body (initiator "hodiapi") is taken as sent.
    FakeDarajaSettings settings = fast_settings();
    settings.initiator_name = "hodiapi";
    FakeRig rig(settings);
    const std::string token = rig.token();
    auto request = rig.b2c_request("", 250);
    const daraja::Accepted v1 = pay(rig, token, request, "/mpesa/b2c/v1/paymentrequest");
    CHECK(!v1.originator_conversation_id.empty());
    const auto vector = load_vector("daraja_b2c_request_v3.json");
    const DarajaReply reply =
        rig.post(b2c_target, std::string(vector.at("http").at("body_raw").as_string()), token);
    REQUIRE(reply.status == 200);
    REQUIRE(rig.recorder().wait_for(1, "https://hodi.example.co.ke/cb/k7Qm2xV9/b2c/result"));
    REQUIRE(rig.recorder().wait_for(1, b2c_result_url));
    CHECK(rig.fake().ledger().b2c_executions.at("hodi-b2c-20260314-000042") == 1);
    CHECK(rig.fake().ledger().paid_out_cents == 75'000);
}

TEST_CASE("fake Daraja: Transaction Status describes a known payout and refuses an unknown one") {
    // Goal: hodi's reconciliation path: after a payout, a status query by its
    // OriginatorConversationID, or by receipt, finds it; an id M-Pesa never saw gives 2032.
    FakeRig rig;
    const std::string token = rig.token();
    pay(rig, token, rig.b2c_request("hodi-b2c-known", 500));
    const std::string receipt = result_at(rig, b2c_result_url).receipt.value();
    const std::string queries[] = {
        daraja::transaction_status_body(status_query(rig, "hodi-q-1", "hodi-b2c-known", "")),
        daraja::transaction_status_body(status_query(rig, "hodi-q-2", "", receipt)),
        daraja::transaction_status_body(status_query(rig, "hodi-q-3", "hodi-b2c-unknown", "")),
    };
    for (const std::string& query : queries) {
        const DarajaReply reply = rig.post(status_target, query, token);
        REQUIRE(reply.status == 200);
        const auto accepted = daraja::parse_accepted(reply.body);
        REQUIRE(accepted.value);
        CHECK(accepted.value->response.success());
    }
    REQUIRE(rig.recorder().wait_for(3, status_result_url));
    std::map<std::string, std::string> bodies;
    for (const auto& call : rig.recorder().calls_to(status_result_url)) {
        const auto parsed = daraja::parse_b2c_result(call.body);  // the same envelope
        REQUIRE(parsed.value);
        bodies[parsed.value->originator_conversation_id] = call.body;
    }
    for (const std::string id : {"hodi-q-1", "hodi-q-2"}) {
        CAPTURE(id);
        const auto parsed = daraja::parse_b2c_result(bodies[id]);
        CHECK(parsed.value->result.text == "0");
        CHECK(parsed.value->transaction_id == receipt);
        auto parameters = status_parameters(bodies[id]);
        CHECK(parameters["ReceiptNo"] == receipt);
        CHECK(parameters["TransactionStatus"] == "Completed");
        CHECK(parameters["Amount"] == "500");
        CHECK(parameters["OriginatorConversationID"] == "hodi-b2c-known");
        CHECK(parameters["CreditPartyName"].starts_with("254712345678 - "));
        CHECK(parameters["DebitPartyName"].starts_with("600997 - "));
        CHECK(parameters["FinalisedTime"].size() == 14);
        CHECK(parameters["ReasonType"] == "Business Payment to Customer via API");
    }
    const auto unknown = daraja::parse_b2c_result(bodies["hodi-q-3"]);
    CHECK(unknown.value->result.text == "2032");
    CHECK(unknown.value->result_desc == "The transaction receipt number does not exist.");
    CHECK(status_parameters(bodies["hodi-q-3"]).empty());
    CHECK(rig.fake().ledger().status_queries == 3);
}

TEST_CASE("fake Daraja: a queue timeout is called back, and the payout may still pay") {
    // Goal: both sides of PROTOCOLS.md §3.8's warning: a timeout that is final, and one after
    // which the result (and the money) still come. Transaction Status tells them apart.
    for (const double executes : {0.0, 1.0}) {
        CAPTURE(executes);
        FakeDarajaSettings settings = fast_settings();
        settings.faults.queue_timeout.first = 1;
        settings.faults.executes_after_timeout = executes;
        FakeRig rig(settings);
        const std::string token = rig.token();
        pay(rig, token, rig.b2c_request("hodi-b2c-queued", 500));
        const daraja::B2cResult timeout = result_at(rig, b2c_timeout_url);
        CHECK(timeout.originator_conversation_id == "hodi-b2c-queued");
        CHECK(!timeout.result.success());
        CHECK(rig.fake().ledger().queue_timeouts == 1);
        if (executes > 0) {
            CHECK(result_at(rig, b2c_result_url).result.text == "0");
            CHECK(rig.fake().ledger().paid_out_cents == 50'000);
        }
        const DarajaReply reply = rig.post(
            status_target,
            daraja::transaction_status_body(status_query(rig, "hodi-q", "hodi-b2c-queued", "")),
            token);
        REQUIRE(reply.status == 200);
        const daraja::B2cResult status = result_at(rig, status_result_url);
        CHECK(status.result.text == (executes > 0 ? "0" : "2032"));
        if (executes == 0) {
            std::this_thread::sleep_for(100ms);
            CHECK(rig.recorder().calls_to(b2c_result_url).empty());
            CHECK(rig.fake().ledger().paid_out_cents == 0);
        }
    }
}

}  // namespace hodi::test
