// The fake's C2B (PROTOCOLS.md §3.9) over loopback: URL registration with Safaricom's typo, and
// simulated paybill payments through validation and confirmation, read with hodi's parser.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "adapters/daraja/callback_bodies.hpp"
#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/daraja/requests.hpp"
#include "tests/adapters/fake_daraja_fixture.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;

constexpr std::string_view simulate_body =
    R"({"ShortCode":600984,"CommandID":"CustomerPayBillOnline","Amount":150,)"
    R"("Msisdn":254712345678,"BillRefNumber":" hodi123 "})";

void register_urls(FakeRig& rig, std::string_view token, std::string_view version,
                   bool completed_by_default, std::string_view validation_url) {
    const DarajaReply reply = rig.post(
        "/mpesa/c2b/" + std::string(version) + "/registerurl",
        daraja::c2b_register_body(600984, completed_by_default, c2b_confirm_url, validation_url),
        token);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find(R"("OriginatorCoversationID":)") != std::string::npos);
    CHECK(reply.body.find(R"("ResponseCode":"0")") != std::string::npos);
}

void simulate(FakeRig& rig, std::string_view token) {
    const DarajaReply reply = rig.post("/mpesa/c2b/v1/simulate", simulate_body, token);
    REQUIRE(reply.status == 200);
    CHECK(reply.body.find(R"("ResponseDescription":"Accept the service request successfully.")") !=
          std::string::npos);
}

}  // namespace

TEST_CASE("fake Daraja: a simulated C2B payment is validated, then confirmed") {
    // Goal: registration (v1 and v2) and simulate lead to §3.9's two identical bodies: the
    // validation without a balance, the confirmation with it and the ThirdPartyTransID hodi gave.
    FakeRig rig;
    const std::string token = rig.token();
    register_urls(rig, token, "v2", true, "");
    register_urls(rig, token, "v1", true, c2b_validate_url);  // re-registering replaces
    rig.recorder().answer_validation(
        true, R"({"ResultCode":"0","ResultDesc":"Accepted","ThirdPartyTransID":"hodi-c2b-1"})");
    simulate(rig, token);
    REQUIRE(rig.recorder().wait_for(1, c2b_confirm_url));
    const auto validation = rig.recorder().calls_to(c2b_validate_url);
    const auto confirmation = rig.recorder().calls_to(c2b_confirm_url);
    REQUIRE(validation.size() == 1);
    REQUIRE(confirmation.size() == 1);
    const auto validated = daraja::parse_c2b_payment(validation[0].body);
    const auto confirmed = daraja::parse_c2b_payment(confirmation[0].body);
    REQUIRE_MESSAGE(confirmed.value, confirmed.problem);
    REQUIRE(validated.value);
    CHECK(validated.value->trans_id == confirmed.value->trans_id);
    CHECK(confirmed.value->trans_id.size() == 10);
    CHECK(confirmed.value->amount_kes == 150);
    CHECK(confirmed.value->account == "HODI123");
    CHECK(confirmed.value->business_short_code == "600984");
    CHECK(confirmed.value->payer == "254712345678");
    CHECK(confirmation[0].body.find(R"("TransAmount":"150.00")") != std::string::npos);
    CHECK(confirmation[0].body.find(R"("OrgAccountBalance":"150.00")") != std::string::npos);
    CHECK(confirmation[0].body.find(R"("ThirdPartyTransID":"hodi-c2b-1")") != std::string::npos);
    CHECK(validation[0].body.find(R"("OrgAccountBalance":"")") != std::string::npos);
    const auto ledger = rig.fake().ledger();
    REQUIRE(ledger.c2b_payments.size() == 1);
    CHECK(ledger.c2b_payments[0].completed);
    CHECK(ledger.c2b_payments[0].trans_id == confirmed.value->trans_id);
    CHECK(ledger.collected_cents == 15'000);
}

TEST_CASE("fake Daraja: a refused or unanswered C2B validation decides the payment") {
    // Goal: hodi's refusal cancels; silence applies ResponseType (Cancelled here, Completed in
    // the second run).
    for (const bool completed_by_default : {false, true}) {
        CAPTURE(completed_by_default);
        FakeRig rig;
        const std::string token = rig.token();
        register_urls(rig, token, "v1", completed_by_default, c2b_validate_url);
        rig.recorder().answer_validation(true,
                                         R"({"ResultCode":"C2B00012","ResultDesc":"Rejected"})");
        simulate(rig, token);
        REQUIRE(rig.recorder().wait_for(1, c2b_validate_url));
        rig.recorder().answer_validation(false, "");
        simulate(rig, token);
        REQUIRE(rig.recorder().wait_for(2, c2b_validate_url));
        std::this_thread::sleep_for(100ms);
        CHECK(rig.recorder().calls_to(c2b_confirm_url).size() == (completed_by_default ? 1 : 0));
        const auto ledger = rig.fake().ledger();
        REQUIRE(ledger.c2b_payments.size() == 2);
        const auto completed = std::count_if(ledger.c2b_payments.begin(), ledger.c2b_payments.end(),
                                             [](const auto& payment) { return payment.completed; });
        CHECK(completed == (completed_by_default ? 1 : 0));
    }
}

TEST_CASE("fake Daraja: the fault plan can hash C2B's MSISDN as v1 does") {
    FakeDarajaSettings settings = fast_settings();
    settings.faults.hashed_msisdn.first = 1;
    FakeRig rig(settings);
    const std::string token = rig.token();
    register_urls(rig, token, "v1", true, "");
    simulate(rig, token);
    simulate(rig, token);
    REQUIRE(rig.recorder().wait_for(2, c2b_confirm_url));
    std::vector<std::string> payers;
    for (const auto& call : rig.recorder().calls_to(c2b_confirm_url)) {
        const auto parsed = daraja::parse_c2b_payment(call.body);
        REQUIRE(parsed.value);
        payers.push_back(parsed.value->payer);
    }
    // The first payment's number is hashed (SHA-256 of "254712345678", lower-case hex).
    const std::string hashed = "7132104d6aae9c3fac82095a42c2817952bca48e09d98d5bf4ac08218982fb90";
    CHECK(std::count(payers.begin(), payers.end(), hashed) == 1);
    CHECK(std::count(payers.begin(), payers.end(), "254712345678") == 1);
}

}  // namespace hodi::test
