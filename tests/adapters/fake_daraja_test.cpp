// The fake Daraja's front door over real loopback HTTP: OAuth, the Bearer check, Daraja's error
// bodies, and the refusal of every field Daraja checks, each read back with hodi's own parsers.
#include "adapters/daraja/fake_daraja.hpp"

#include <doctest/doctest.h>

#include <boost/json/value.hpp>
#include <string>
#include <thread>
#include <vector>

#include "adapters/daraja/request_fields.hpp"
#include "adapters/daraja/requests.hpp"
#include "tests/adapters/fake_daraja_fixture.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;

constexpr std::string_view oauth_target = "/oauth/v1/generate?grant_type=client_credentials";

std::string basic(std::string_view key, std::string_view secret) {
    return "Basic " + daraja::base64_encode(std::string(key) + ":" + std::string(secret));
}

// The error code of a Daraja error body (the test fails when the body is not one).
std::string error_code(const DarajaReply& reply) {
    const auto error = daraja::parse_error_body(reply.body);
    REQUIRE_MESSAGE(error.has_value(), reply.body);
    CHECK(!error->request_id.empty());
    return error->code;
}

std::string error_message(const DarajaReply& reply) {
    const auto error = daraja::parse_error_body(reply.body);
    REQUIRE(error.has_value());
    return error->message;
}

struct FieldCase {
    std::string key;
    std::string value;  ///< raw JSON; "" removes the field
    std::string field;  ///< what "Bad Request - Invalid <field>" names
};

void check_refusals(FakeRig& rig, std::string_view target, const std::string& good,
                    const std::vector<FieldCase>& cases) {
    const std::string token = rig.token();
    for (const FieldCase& bad : cases) {
        CAPTURE(bad.key);
        CAPTURE(bad.value);
        const DarajaReply reply = rig.post(target, with_field(good, bad.key, bad.value), token);
        CHECK(reply.status == 400);
        CHECK(error_code(reply) == "400.002.02");
        CHECK(error_message(reply) == "Bad Request - Invalid " + bad.field);
    }
}

}  // namespace

TEST_CASE("fake Daraja: OAuth gives a token for the right Basic credentials only") {
    // Goal: the token endpoint speaks §3.2 and checks the consumer key and secret. Method: good
    // and bad credentials, a missing grant type, and the wrong method.
    FakeRig rig;
    const auto& settings = rig.settings();
    const DarajaReply good =
        rig.call("GET", oauth_target, basic(settings.consumer_key, settings.consumer_secret), "");
    REQUIRE(good.status == 200);
    CHECK(good.body.find("\"expires_in\":\"3599\"") != std::string::npos);  // a string
    const auto token = daraja::parse_oauth_response(good.body);
    REQUIRE(token.value);
    CHECK(token.value->expires_in == std::chrono::seconds(3599));
    CHECK(token.value->access_token.size() == 28);

    const DarajaReply wrong =
        rig.call("GET", oauth_target, basic(settings.consumer_key, "not-the-secret"), "");
    CHECK(wrong.status == 400);
    CHECK(error_code(wrong) == "400.008.01");
    CHECK(rig.call("GET", oauth_target, "", "").status == 400);
    const DarajaReply no_grant = rig.call(
        "GET", "/oauth/v1/generate", basic(settings.consumer_key, settings.consumer_secret), "");
    CHECK(error_code(no_grant) == "400.008.02");
    const DarajaReply posted = rig.call(
        "POST", oauth_target, basic(settings.consumer_key, settings.consumer_secret), "{}");
    CHECK(posted.status == 404);
    CHECK(error_code(posted) == "404.001.04");
    CHECK(rig.fake().ledger().tokens_issued == 1);
}

TEST_CASE("fake Daraja: the fake accepts the consumer credentials of the OAuth vector") {
    // Goal: hodi's recorded request authenticates when the fake holds the same credentials.
    const auto vector = load_vector("daraja_oauth_request.json");
    const std::string header(vector.at("http").at("headers").at("Authorization").as_string());
    FakeDarajaSettings settings = fast_settings();
    settings.consumer_key = "hodi-test-consumer-key";
    settings.consumer_secret = "hodi-test-consumer-secret";
    FakeRig rig(settings);
    CHECK(rig.call("GET", oauth_target, header, "").status == 200);
}

TEST_CASE("fake Daraja: calls without a live Bearer token are refused 401.002.01") {
    // Goal: missing, unknown and expired tokens all get Daraja's Invalid Access Token, which
    // hodi's client reads as "fetch a new token". Method: a token that lives 0 s expires at once.
    FakeRig rig;
    const std::string body = daraja::stk_push_body(rig.stk_request(100));
    const std::string target = "/mpesa/stkpush/v1/processrequest";
    for (const std::string authorization : {"", "Bearer", "Bearer not-a-token", "Basic abc"}) {
        CAPTURE(authorization);
        const DarajaReply reply = rig.call("POST", target, authorization, body);
        CHECK(reply.status == 401);
        const auto error = daraja::parse_error_body(reply.body);
        REQUIRE(error);
        CHECK(error->invalid_token());
        CHECK(error->message == "Invalid Access Token");
    }
    FakeDarajaSettings settings = fast_settings();
    settings.token_lifetime = std::chrono::seconds(0);
    FakeRig expiring(settings);
    const std::string token = expiring.token();
    const DarajaReply expired = expiring.post(target, body, token);
    CHECK(expired.status == 401);
    CHECK(error_code(expired) == "401.002.01");
    CHECK(expiring.fake().ledger().prompts_sent == 0);
}

TEST_CASE("fake Daraja: a wrong method is 404.001.04 and malformed JSON is 400.002.05") {
    FakeRig rig;
    const std::string token = rig.token();
    const DarajaReply got = rig.call("GET", "/mpesa/b2c/v3/paymentrequest", "Bearer " + token, "");
    CHECK(got.status == 404);
    CHECK(error_code(got) == "404.001.04");
    for (const std::string body : {"", "{", "[1,2]", "\"text\"", "{\"a\":}"}) {
        CAPTURE(body);
        const DarajaReply reply = rig.post("/mpesa/stkpush/v1/processrequest", body, token);
        CHECK(reply.status == 400);
        CHECK(error_code(reply) == "400.002.05");
        CHECK(error_message(reply) == "Invalid Request Payload");
    }
}

TEST_CASE("fake Daraja: every STK Push field Daraja checks is refused by name") {
    // Goal: §3.4's rules, one broken field at a time, on hodi's own body.
    FakeRig rig;
    const std::string good = daraja::stk_push_body(rig.stk_request(150));
    check_refusals(rig, "/mpesa/stkpush/v1/processrequest", good,
                   {{"BusinessShortCode", "\"17x379\"", "BusinessShortCode"},
                    {"BusinessShortCode", "", "BusinessShortCode"},
                    {"Password", "\"\"", "Password"},
                    {"Timestamp", "\"2026031410301\"", "Timestamp"},
                    {"Timestamp", "\"20261314103015\"", "Timestamp"},
                    {"Timestamp", "\"2026-03-14 10:30\"", "Timestamp"},
                    {"TransactionType", "\"CustomerPayBill\"", "TransactionType"},
                    {"Amount", "0", "Amount"},
                    {"Amount", "-5", "Amount"},
                    {"Amount", "1.5", "Amount"},
                    {"Amount", "\"ten\"", "Amount"},
                    {"Amount", "", "Amount"},
                    {"PartyA", "255712345678", "PartyA"},
                    {"PartyA", "\"+254712345678\"", "PartyA"},
                    {"PartyB", "\"till\"", "PartyB"},
                    {"PhoneNumber", "25471234567", "PhoneNumber"},
                    {"PhoneNumber", "254212345678", "PhoneNumber"},
                    {"CallBackURL", "\"ftp://hodi.example/cb\"", "CallBackURL"},
                    {"CallBackURL", "\"hodi.example/cb\"", "CallBackURL"},
                    {"AccountReference", "\"HODI-00012345\"", "AccountReference"},
                    {"AccountReference", "\"\"", "AccountReference"},
                    {"TransactionDesc", "\"Hodi top up 01\"", "TransactionDesc"},
                    {"TransactionDesc", "", "TransactionDesc"}});
    CHECK(rig.fake().ledger().prompts_sent == 0);
    // The edges that are fine: 12 and 13 characters, an amount sent as a string, 01xx phones.
    const std::string token = rig.token();
    std::string edge = with_field(good, "AccountReference", "\"HODI-000123X\"");
    edge = with_field(edge, "TransactionDesc", "\"Hodi top up 1\"");
    edge = with_field(edge, "Amount", "\"150\"");
    edge = with_field(edge, "PhoneNumber", "254110123456");
    CHECK(rig.post("/mpesa/stkpush/v1/processrequest", edge, token).status == 200);
}

TEST_CASE("fake Daraja: a wrong STK password or merchant is 500.001.1001") {
    // Goal: the Password is base64(shortcode + passkey + timestamp) of the request's own
    // Timestamp; anything else gets Daraja's "Wrong credentials" (as integrators report).
    FakeRig rig;
    const std::string token = rig.token();
    auto request = rig.stk_request(150);
    request.password = daraja::stk_password("174379", "not-the-passkey", request.timestamp);
    DarajaReply reply =
        rig.post("/mpesa/stkpush/v1/processrequest", daraja::stk_push_body(request), token);
    CHECK(reply.status == 500);
    CHECK(error_code(reply) == "500.001.1001");
    CHECK(error_message(reply) == "Wrong credentials");
    // A password for another second does not match this Timestamp.
    request = rig.stk_request(150);
    request.timestamp = "20200101000000";
    reply = rig.post("/mpesa/stkpush/v1/processrequest", daraja::stk_push_body(request), token);
    CHECK(error_message(reply) == "Wrong credentials");
    request = rig.stk_request(150);
    request.shortcode = 600000;
    reply = rig.post("/mpesa/stkpush/v1/processrequest", daraja::stk_push_body(request), token);
    CHECK(error_message(reply) == "Merchant does not exist");
    CHECK(rig.fake().ledger().prompts_sent == 0);
}

TEST_CASE("fake Daraja: the default passkey is the public sandbox one of the vectors") {
    const auto vector = load_vector("daraja_stk_password_vector.json");
    const auto& sandbox = vector.at("cases").at(0);
    const FakeDarajaSettings settings;
    CHECK(std::to_string(settings.stk_shortcode) == sandbox.at("BusinessShortCode").as_string());
    CHECK(settings.passkey == sandbox.at("Passkey").as_string());
    CHECK(daraja::stk_password("174379", settings.passkey, "20160216165627") ==
          sandbox.at("Password").as_string());
}

TEST_CASE("fake Daraja: every B2C, Transaction Status and C2B field is refused by name") {
    FakeRig rig;
    const std::string b2c = daraja::b2c_body(rig.b2c_request("hodi-b2c-1", 500));
    check_refusals(rig, "/mpesa/b2c/v3/paymentrequest", b2c,
                   {{"OriginatorConversationID", "", "OriginatorConversationID"},
                    {"InitiatorName", "\"\"", "InitiatorName"},
                    {"SecurityCredential", "", "SecurityCredential"},
                    {"CommandID", "\"Payment\"", "CommandID"},
                    {"Amount", "10.25", "Amount"},
                    {"PartyA", "\"B2C\"", "PartyA"},
                    {"PartyB", "254812345678", "PartyB"},
                    {"Remarks", "\"\"", "Remarks"},
                    {"QueueTimeOutURL", "\"nowhere\"", "QueueTimeOutURL"},
                    {"ResultURL", "", "ResultURL"},
                    {"Occasion", "42", "Occasion"}});
    daraja::StatusQueryRequest status;
    status.originator_conversation_id = "hodi-status-1";
    status.initiator_name = rig.settings().initiator_name;
    status.security_credential = "c2FuZGJveA==";
    status.original_conversation_id = "hodi-b2c-1";
    status.party_a = rig.settings().b2c_shortcode;
    status.remarks = "status";
    status.queue_timeout_url = std::string(b2c_timeout_url);
    status.result_url = std::string(status_result_url);
    std::string query = daraja::transaction_status_body(status);
    check_refusals(rig, "/mpesa/transactionstatus/v1/query", query,
                   {{"Initiator", "", "Initiator"},
                    {"CommandID", "\"TransactionStatus\"", "CommandID"},
                    {"IdentifierType", "\"3\"", "IdentifierType"},
                    {"PartyA", "\"x\"", "PartyA"},
                    {"ResultURL", "\"x\"", "ResultURL"}});
    query = with_field(with_field(query, "OriginalConversationID", ""), "TransactionID", "\"\"");
    check_refusals(rig, "/mpesa/transactionstatus/v1/query", query,
                   {{"OriginatorConversationID", "", "TransactionID"}});
    const std::string registration =
        daraja::c2b_register_body(600984, true, c2b_confirm_url, c2b_validate_url);
    check_refusals(rig, "/mpesa/c2b/v1/registerurl", registration,
                   {{"ResponseType", "\"completed\"", "ResponseType"},
                    {"ShortCode", "", "ShortCode"},
                    {"ConfirmationURL", "\"x\"", "ConfirmationURL"},
                    {"ValidationURL", "\"x\"", "ValidationURL"}});
    const std::string simulate = R"({"ShortCode":600984,"CommandID":"CustomerPayBillOnline",)"
                                 R"("Amount":150,"Msisdn":254712345678,"BillRefNumber":"HODI1"})";
    check_refusals(rig, "/mpesa/c2b/v1/simulate", simulate,
                   {{"CommandID", "\"PayBill\"", "CommandID"},
                    {"Msisdn", "\"0712345678\"", "Msisdn"},
                    {"BillRefNumber", "\"HODI-ACCOUNT-NUMBER-21\"", "BillRefNumber"},
                    {"Amount", "0", "Amount"}});
    const auto ledger = rig.fake().ledger();
    CHECK(ledger.b2c_accepted.empty());
    CHECK(ledger.status_queries == 0);
    CHECK(ledger.c2b_payments.empty());
}

TEST_CASE("fake Daraja: a stopped fake answers 503 and calls nobody back") {
    // Goal: stop() ends every wait, so `hodi serve` and the tests exit promptly.
    FakeDarajaSettings settings = fast_settings();
    settings.callback_delay = 200ms;
    FakeRig rig(settings);
    const std::string token = rig.token();
    rig.push(token, 100);
    rig.fake().stop();
    rig.fake().stop();  // harmless twice
    const DarajaReply after = rig.post("/mpesa/stkpush/v1/processrequest",
                                       daraja::stk_push_body(rig.stk_request(100)), token);
    CHECK(after.status == 503);
    std::this_thread::sleep_for(400ms);
    CHECK(rig.recorder().calls().empty());
}

}  // namespace hodi::test
