// Daraja's request bodies and synchronous answers; see requests.hpp.
#include "adapters/daraja/requests.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <vector>

#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja {

namespace json = boost::json;
using json_fields::coded_body;
using json_fields::id_member;
using json_fields::parse_object;
using json_fields::scalar_text;
using json_fields::text_member;

namespace {

// STK Query's "still under processing" code, seen since 2026 beside the error body.
constexpr std::string_view query_pending_code = "4999";

struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;

// The RSA public key of a PEM certificate or PEM public key.
Key public_key_of(std::string_view pem) {
    const auto read = [pem](auto reader) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(
            BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
        return bio ? reader(bio.get()) : nullptr;
    };
    if (X509* certificate = read([](BIO* bio) {
            return PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        })) {
        Key key(X509_get_pubkey(certificate));
        X509_free(certificate);
        return key;
    }
    return Key(read([](BIO* bio) { return PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr); }));
}


}  // namespace

std::string stk_push_body(const StkPushRequest& request) {
    json::object body;
    body["BusinessShortCode"] = request.shortcode;
    body["Password"] = request.password;
    body["Timestamp"] = request.timestamp;
    body["TransactionType"] = request.till ? "CustomerBuyGoodsOnline" : "CustomerPayBillOnline";
    body["Amount"] = request.amount_kes;
    body["PartyA"] = request.phone;
    body["PartyB"] = request.party_b;
    body["PhoneNumber"] = request.phone;
    body["CallBackURL"] = request.callback_url;
    body["AccountReference"] = request.account_reference;
    body["TransactionDesc"] = request.transaction_desc;
    return json::serialize(body);
}

std::string stk_query_body(std::int64_t shortcode, std::string_view password,
                           std::string_view timestamp, std::string_view checkout_request_id) {
    json::object body;
    body["BusinessShortCode"] = shortcode;
    body["Password"] = password;
    body["Timestamp"] = timestamp;
    body["CheckoutRequestID"] = checkout_request_id;
    return json::serialize(body);
}

std::string b2c_body(const B2cRequest& request) {
    json::object body;
    body["OriginatorConversationID"] = request.originator_conversation_id;
    body["InitiatorName"] = request.initiator_name;
    body["SecurityCredential"] = request.security_credential;
    body["CommandID"] = request.command_id;
    body["Amount"] = request.amount_kes;
    body["PartyA"] = request.party_a;
    body["PartyB"] = request.party_b;
    body["Remarks"] = request.remarks;
    body["QueueTimeOutURL"] = request.queue_timeout_url;
    body["ResultURL"] = request.result_url;
    // Which spelling v3 reads is unconfirmed (its sample says "Occassion"): sent only when set.
    if (!request.occasion.empty()) body["Occasion"] = request.occasion;
    return json::serialize(body);
}

std::string transaction_status_body(const StatusQueryRequest& request) {
    json::object body;
    body["Initiator"] = request.initiator_name;
    body["SecurityCredential"] = request.security_credential;
    body["CommandID"] = "TransactionStatusQuery";
    body["TransactionID"] = request.transaction_id;
    // The payout's own id: how a status is asked for when the receipt was never learnt.
    body["OriginalConversationID"] = request.original_conversation_id;
    body["OriginatorConversationID"] = request.originator_conversation_id;
    body["PartyA"] = request.party_a;
    body["IdentifierType"] = "4";  // PartyA is an organisation's shortcode
    body["ResultURL"] = request.result_url;
    body["QueueTimeOutURL"] = request.queue_timeout_url;
    body["Remarks"] = request.remarks;
    body["Occasion"] = "";
    return json::serialize(body);
}

std::string c2b_register_body(std::int64_t shortcode, bool completed_by_default,
                              std::string_view confirmation_url, std::string_view validation_url) {
    json::object body;
    body["ShortCode"] = std::to_string(shortcode);
    body["ResponseType"] = completed_by_default ? "Completed" : "Cancelled";
    body["ConfirmationURL"] = confirmation_url;
    body["ValidationURL"] = validation_url;
    return json::serialize(body);
}

std::optional<std::string> security_credential(std::string_view pem,
                                               std::string_view initiator_password,
                                               std::string& problem) {
    const Key key = public_key_of(pem);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        problem = "holds no RSA public key (a PEM certificate or public key)";
        return std::nullopt;
    }
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
        EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
    std::size_t size = 0;
    const auto* plain = reinterpret_cast<const unsigned char*>(initiator_password.data());
    if (!context || EVP_PKEY_encrypt_init(context.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_encrypt(context.get(), nullptr, &size, plain, initiator_password.size()) != 1) {
        problem = "RSA encryption could not start";
        return std::nullopt;
    }
    std::vector<unsigned char> encrypted(size);
    if (EVP_PKEY_encrypt(context.get(), encrypted.data(), &size, plain,
                         initiator_password.size()) != 1) {
        problem = "RSA encryption failed (is the password longer than the key allows?)";
        return std::nullopt;
    }
    encrypted.resize(size);
    return base64_encode(std::string_view(
        reinterpret_cast<const char*>(encrypted.data()), encrypted.size()));
}

Parsed<OAuthToken> parse_oauth_response(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return Parsed<OAuthToken>::refused(problem);
    const json::value* token = root->if_contains("access_token");
    if (token == nullptr || !token->is_string() || token->get_string().empty()) {
        return Parsed<OAuthToken>::refused("no access_token");
    }
    const json::value* expires = root->if_contains("expires_in");
    const std::string seconds = expires != nullptr ? scalar_text(*expires) : std::string();
    if (!json_fields::all_digits(seconds) || seconds.size() > 9) {
        return Parsed<OAuthToken>::refused("no usable expires_in");
    }
    return {OAuthToken{std::string(token->get_string()), std::chrono::seconds(std::stol(seconds))},
            {}};
}

std::optional<DarajaError> parse_error_body(std::string_view body) {
    std::string problem;
    const auto root = parse_object(body, problem);
    if (!root) return std::nullopt;
    auto code = id_member(*root, "errorCode");
    if (!code) return std::nullopt;
    return DarajaError{text_member(*root, "requestId"), std::move(*code),
                       text_member(*root, "errorMessage")};
}

Parsed<Accepted> parse_accepted(std::string_view body) {
    std::string problem;
    auto root = coded_body(body, "ResponseCode", problem);
    if (!root) return Parsed<Accepted>::refused(problem);
    Accepted out;
    out.response = std::move(root->code);
    const json::object& fields = root->object;
    out.description = text_member(fields, "ResponseDescription");
    out.merchant_request_id = id_member(fields, "MerchantRequestID").value_or("");
    out.checkout_request_id = id_member(fields, "CheckoutRequestID").value_or("");
    out.conversation_id = id_member(fields, "ConversationID").value_or("");
    out.originator_conversation_id = id_member(fields, "OriginatorConversationID").value_or("");
    return {std::move(out), {}};
}

Parsed<StkQueryAnswer> parse_stk_query_response(std::string_view body) {
    std::string problem;
    auto root = coded_body(body, "ResultCode", problem);
    if (!root) return Parsed<StkQueryAnswer>::refused(problem);
    StkQueryAnswer out;
    out.pending = root->code.text == query_pending_code;
    out.result = std::move(root->code);
    out.result_desc = text_member(root->object, "ResultDesc");
    return {std::move(out), {}};
}

}  // namespace hodi::adapters::daraja
