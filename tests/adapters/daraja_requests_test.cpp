// What hodi sends to Daraja and reads from its synchronous answers: the request bodies against
// the recorded samples, the B2C SecurityCredential, OAuth, Daraja's error body, acceptances
// and STK Query answers.
#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adapters/daraja/request_fields.hpp"
#include "adapters/daraja/requests.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

namespace {

namespace daraja = adapters::daraja;
namespace json = boost::json;

json::value recorded_body(std::string_view vector) {
    return load_vector(vector).at("http").at("body");
}

std::string recorded_raw(std::string_view vector) {
    const json::value loaded = load_vector(vector);
    const json::value& http = loaded.at("http");
    if (const json::value* raw = http.as_object().if_contains("body_raw")) {
        return std::string(raw->as_string());
    }
    return json::serialize(http.at("body"));
}

struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;

std::string public_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string decrypt(EVP_PKEY* key, const std::string& credential) {
    std::vector<unsigned char> encrypted(credential.size());
    const int decoded =
        EVP_DecodeBlock(encrypted.data(), reinterpret_cast<const unsigned char*>(credential.data()),
                        static_cast<int>(credential.size()));
    REQUIRE(decoded > 0);
    encrypted.resize(256);  // EVP_DecodeBlock counts the padding: a 2048-bit block is 256 bytes
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
        EVP_PKEY_CTX_new(key, nullptr), &EVP_PKEY_CTX_free);
    REQUIRE(EVP_PKEY_decrypt_init(context.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) == 1);
    std::vector<unsigned char> plain(encrypted.size());
    std::size_t size = plain.size();
    REQUIRE(EVP_PKEY_decrypt(context.get(), plain.data(), &size, encrypted.data(),
                             encrypted.size()) == 1);
    return std::string(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(size));
}

}  // namespace

TEST_CASE("the STK Push and Query bodies are the recorded requests") {
    const json::value push = recorded_body("daraja_stk_push_request.json");
    daraja::StkPushRequest request;
    request.shortcode = 174379;
    request.party_b = 174379;
    request.timestamp = "20260314103015";
    request.password = daraja::stk_password(
        "174379", "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
        request.timestamp);
    request.amount_kes = 150;
    request.phone = 254712345678;
    request.callback_url = "https://hodi.example.co.ke/cb/k7Qm2xV9/stk";
    request.account_reference = "HODI-000123";
    request.transaction_desc = "Hodi topup";
    CHECK(json::parse(daraja::stk_push_body(request)) == push);
    request.till = true;
    CHECK(json::parse(daraja::stk_push_body(request)).at("TransactionType") ==
          "CustomerBuyGoodsOnline");

    const json::value query = recorded_body("daraja_stk_query_request.json");
    CHECK(json::parse(daraja::stk_query_body(174379, query.at("Password").as_string(),
                                             "20260314103215",
                                             "ws_CO_14032026103015123712345678")) == query);
}

TEST_CASE("the B2C v3 body is the recorded request, Occasion left out when unset") {
    json::value recorded = recorded_body("daraja_b2c_request_v3.json");
    daraja::B2cRequest request;
    request.originator_conversation_id = "hodi-b2c-20260314-000042";
    request.initiator_name = "hodiapi";
    request.security_credential = recorded.at("SecurityCredential").as_string();
    request.amount_kes = 500;
    request.party_a = 600997;
    request.party_b = 254712345678;
    request.remarks = "Hodi payout 000042";
    request.queue_timeout_url = "https://hodi.example.co.ke/cb/k7Qm2xV9/b2c/timeout";
    request.result_url = "https://hodi.example.co.ke/cb/k7Qm2xV9/b2c/result";
    request.occasion = "Refund";
    CHECK(json::parse(daraja::b2c_body(request)) == recorded);
    request.occasion.clear();
    CHECK_FALSE(json::parse(daraja::b2c_body(request)).as_object().contains("Occasion"));
}

TEST_CASE("the SecurityCredential opens with the private key, and differs per call") {
    // Goal: Safaricom can decrypt the initiator password, and only with its key. Method: a key
    // pair made here stands for Safaricom's; the credential is decrypted with the private half.
    Key key(EVP_RSA_gen(2048));
    REQUIRE(key);
    const std::string pem = public_pem(key.get());
    std::string problem;
    const auto first = daraja::security_credential(pem, "Safaricom999!*!", problem);
    REQUIRE_MESSAGE(first, problem);
    const auto second = daraja::security_credential(pem, "Safaricom999!*!", problem);
    REQUIRE(second);
    CHECK(*first != *second);  // PKCS#1 v1.5 pads at random
    CHECK(first->find("Safaricom") == std::string::npos);
    CHECK(decrypt(key.get(), *first) == "Safaricom999!*!");
    CHECK(decrypt(key.get(), *second) == "Safaricom999!*!");
    CHECK_FALSE(daraja::security_credential("not a pem", "x", problem));
    CHECK(problem.find("RSA") != std::string::npos);
}

TEST_CASE("an OAuth answer gives the token and its lifetime, sent as a string") {
    const auto token = daraja::parse_oauth_response(recorded_raw("daraja_oauth_response.json"));
    REQUIRE_MESSAGE(token.value, token.problem);
    CHECK(token.value->access_token == "Xq7Lb2VfR9tN3mWc8KdZ1sPyE0aU");
    CHECK(token.value->expires_in == std::chrono::seconds(3599));
    CHECK(daraja::parse_oauth_response(R"({"access_token":"t","expires_in":3600})")
              .value->expires_in == std::chrono::seconds(3600));
    CHECK_FALSE(daraja::parse_oauth_response(R"({"access_token":"","expires_in":"1"})").value);
    CHECK_FALSE(daraja::parse_oauth_response(R"({"access_token":"t","expires_in":"-1"})").value);
    CHECK_FALSE(daraja::parse_oauth_response("<html>").value);
}

TEST_CASE("Daraja's error body says pending, throttled or a bad token") {
    const auto pending =
        daraja::parse_error_body(recorded_raw("daraja_stk_query_response_pending.json"));
    REQUIRE(pending);
    CHECK(pending->still_processing());
    CHECK_FALSE(pending->throttled());
    for (const char* code : {"500.003.02", "500.003.03"}) {
        const auto error = daraja::parse_error_body(std::string(R"({"errorCode":")") + code +
                                                    R"(","errorMessage":"Spike"})");
        REQUIRE(error);
        CHECK(error->throttled());
    }
    CHECK(daraja::parse_error_body(R"({"errorCode":"401.002.01"})")->invalid_token());
    CHECK_FALSE(daraja::parse_error_body(R"({"ResponseCode":"0"})"));
    CHECK_FALSE(daraja::parse_error_body("not json"));
}

TEST_CASE("acceptances of STK Push and B2C give the ids that key what follows") {
    const auto stk = daraja::parse_accepted(recorded_raw("daraja_stk_push_response.json"));
    REQUIRE_MESSAGE(stk.value, stk.problem);
    CHECK(stk.value->response.success());
    CHECK(stk.value->checkout_request_id == "ws_CO_14032026103015123712345678");
    CHECK(stk.value->merchant_request_id == "46127-19384756-1");
    const auto b2c = daraja::parse_accepted(recorded_raw("daraja_b2c_response.json"));
    REQUIRE_MESSAGE(b2c.value, b2c.problem);
    CHECK(b2c.value->response.success());
    CHECK(b2c.value->originator_conversation_id == "hodi-b2c-20260314-000042");
    CHECK(b2c.value->conversation_id == "AG_20260314_2010a1b2c3d4e5f6a7b8");
    CHECK_FALSE(daraja::parse_accepted(R"({"CheckoutRequestID":"c"})").value);
}

TEST_CASE("STK Query answers: an outcome, or still pending") {
    const auto paid =
        daraja::parse_stk_query_response(recorded_raw("daraja_stk_query_response_success.json"));
    REQUIRE_MESSAGE(paid.value, paid.problem);
    CHECK_FALSE(paid.value->pending);
    CHECK(paid.value->result.success());
    const auto cancelled =
        daraja::parse_stk_query_response(R"({"ResponseCode":"0","ResultCode":"1032"})");
    REQUIRE(cancelled.value);
    CHECK(cancelled.value->result.text == "1032");
    const auto pending = daraja::parse_stk_query_response(R"({"ResultCode":"4999"})");
    REQUIRE(pending.value);
    CHECK(pending.value->pending);
    // The pending error body is no answer here: the caller reads it as an error.
    CHECK_FALSE(
        daraja::parse_stk_query_response(recorded_raw("daraja_stk_query_response_pending.json"))
            .value);
}

}  // namespace hodi::test
