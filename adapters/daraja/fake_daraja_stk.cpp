// The fake's M-Pesa Express: STK Push (PROTOCOLS.md §3.4-3.6), the prompt's life on the phone,
// and STK Query (§3.7).
#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

constexpr std::string_view paybill_type = "CustomerPayBillOnline";
constexpr std::string_view till_type = "CustomerBuyGoodsOnline";

// The fields both STK calls carry; `bad` names the first Daraja would refuse.
struct StkCredentials {
    std::int64_t shortcode = 0;
    std::string password;
    std::string timestamp;
};

struct StkPush {
    StkCredentials credentials;
    std::string type;
    std::int64_t amount_kes = 0;
    std::int64_t party_b = 0;
    std::int64_t phone = 0;
    std::string callback_url;
    std::string account_reference;
    std::string transaction_desc;
};

std::string_view read_credentials(const json::object& body, StkCredentials& out) {
    const auto shortcode = digits_field(body, "BusinessShortCode");
    if (!shortcode) return "BusinessShortCode";
    out.shortcode = *shortcode;
    const auto password = string_field(body, "Password");
    if (!password || password->empty()) return "Password";
    out.password = *password;
    const json::value* timestamp = body.if_contains("Timestamp");
    out.timestamp = timestamp != nullptr ? json_fields::scalar_text(*timestamp) : "";
    if (!timestamp_ok(out.timestamp)) return "Timestamp";
    return {};
}

std::string_view read_push(const json::object& body, StkPush& out) {
    if (const auto bad = read_credentials(body, out.credentials); !bad.empty()) return bad;
    out.type = string_field(body, "TransactionType").value_or("");
    if (out.type != paybill_type && out.type != till_type) return "TransactionType";
    const auto amount = amount_field(body, "Amount");
    if (!amount) return "Amount";
    out.amount_kes = *amount;
    if (!msisdn_field(body, "PartyA")) return "PartyA";
    const auto party_b = digits_field(body, "PartyB");
    if (!party_b) return "PartyB";
    out.party_b = *party_b;
    const auto phone = msisdn_field(body, "PhoneNumber");
    if (!phone) return "PhoneNumber";
    out.phone = *phone;
    out.callback_url = string_field(body, "CallBackURL").value_or("");
    if (!callback_url_ok(out.callback_url)) return "CallBackURL";
    const auto reference = string_field(body, "AccountReference");
    // Required for a paybill, where it is the account the payment is for.
    if (!reference || reference->size() > account_reference_chars_max ||
        (reference->empty() && out.type == paybill_type)) {
        return "AccountReference";
    }
    out.account_reference = *reference;
    const auto desc = string_field(body, "TransactionDesc");
    if (!desc || desc->empty() || desc->size() > transaction_desc_chars_max) {
        return "TransactionDesc";
    }
    out.transaction_desc = *desc;
    return {};
}

// Daraja checks the merchant and the Password after the fields: both refusals are 500.001.1001,
// the code STK Query also uses for "still being processed".
std::optional<HttpReply> credentials_refusal(FakeDaraja::Impl& impl,
                                             const StkCredentials& credentials) {
    if (credentials.shortcode != impl.settings.stk_shortcode) {
        return daraja_error(500, "500.001.1001", "Merchant does not exist", next_request_id(impl));
    }
    const std::string expected = stk_password(std::to_string(credentials.shortcode),
                                              impl.settings.passkey, credentials.timestamp);
    if (credentials.password != expected) {
        return daraja_error(500, "500.001.1001", "Wrong credentials", next_request_id(impl));
    }
    return std::nullopt;
}

// A paybill takes PartyB = BusinessShortCode, a till PartyB = the till; anything else is
// accepted and then fails (SFC_IC0003, PROTOCOLS.md §3.4).
bool reaches_phone(const FakeDarajaSettings& settings, const StkPush& push) {
    if (settings.till_number) {
        return push.type == till_type && push.party_b == *settings.till_number;
    }
    return push.type == paybill_type && push.party_b == push.credentials.shortcode;
}

HttpReply push_prompt(const ImplPtr& impl, const StkPush& push) {
    Prompt prompt;
    prompt.phone = push.phone;
    prompt.amount_kes = push.amount_kes;
    prompt.account_reference = push.account_reference;
    prompt.transaction_desc = push.transaction_desc;
    prompt.callback_url = push.callback_url;
    prompt.on_phone = reaches_phone(impl->settings, push);
    prompt.created = std::chrono::steady_clock::now();
    std::string body;
    {
        const std::lock_guard lock(impl->mutex);
        State& state = impl->state;
        const std::string timestamp = kenya_timestamp(impl->settings.clock());
        prompt.merchant_request_id = new_request_id(state);
        prompt.checkout_request_id = new_checkout_id(state, timestamp, prompt.phone);
        if (prompt.on_phone) ++state.ledger.prompts_sent;
        body = stk_accepted_body(prompt);
        state.prompts.emplace(prompt.checkout_request_id, prompt);
    }
    spawn(impl, run_prompt(impl, prompt.checkout_request_id));
    return json_reply(200, std::move(body));
}

HttpReply query_answer(FakeDaraja::Impl& impl, const std::string& checkout_id) {
    const std::lock_guard lock(impl.mutex);
    const auto found = impl.state.prompts.find(checkout_id);
    if (found == impl.state.prompts.end()) {
        return invalid_field("CheckoutRequestID", new_request_id(impl.state));
    }
    if (!found->second.result) {
        return daraja_error(500, "500.001.1001", "The transaction is being processed", checkout_id);
    }
    return json_reply(200, stk_query_answer_body(found->second));
}

}  // namespace

net::awaitable<void> run_prompt(ImplPtr impl, std::string checkout_id) {
    const bool waited = co_await sleep_for(impl, impl->settings.callback_delay);
    if (!waited) co_return;
    std::optional<Callback> callback;
    std::chrono::milliseconds expiry_left{0};
    {
        const std::lock_guard lock(impl->mutex);
        const auto found = impl->state.prompts.find(checkout_id);
        if (found == impl->state.prompts.end() || found->second.result) co_return;
        const Prompt& prompt = found->second;
        if (!prompt.on_phone) {
            callback = settle_prompt(*impl, checkout_id, "SFC_IC0003");
        } else if (!impl->state.held_phones.contains(prompt.phone)) {
            const int code = stk_outcome(impl->settings.outcomes, prompt.phone, prompt.amount_kes);
            callback = settle_prompt(*impl, checkout_id, std::to_string(code));
        } else {
            // A tester holds the phone: the prompt waits for them until it expires.
            expiry_left = std::chrono::duration_cast<std::chrono::milliseconds>(
                prompt.created + impl->settings.prompt_expiry - std::chrono::steady_clock::now());
        }
    }
    if (!callback) {
        const bool expired = co_await sleep_for(impl, expiry_left);
        if (!expired) co_return;
        const std::lock_guard lock(impl->mutex);
        callback = settle_prompt(*impl, checkout_id, "1037");
    }
    if (callback) co_await deliver(impl, std::move(*callback));
}

ApiCall stk_push_call(const ImplPtr& impl, const json::object& body) {
    StkPush push;
    if (const std::string_view bad = read_push(body, push); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    if (auto refusal = credentials_refusal(*impl, push.credentials)) return {refusal, {}};
    return {std::nullopt, [impl, push] { return push_prompt(impl, push); }};
}

ApiCall stk_query_call(const ImplPtr& impl, const json::object& body) {
    StkCredentials credentials;
    if (const std::string_view bad = read_credentials(body, credentials); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    const auto checkout_id = json_fields::id_member(body, "CheckoutRequestID");
    if (!checkout_id) return {invalid_field("CheckoutRequestID", next_request_id(*impl)), {}};
    if (auto refusal = credentials_refusal(*impl, credentials)) return {refusal, {}};
    return {std::nullopt, [impl, id = *checkout_id] { return query_answer(*impl, id); }};
}

}  // namespace hodi::adapters::daraja::fake
