// The fake's C2B (PROTOCOLS.md §3.9): URL registration, with Safaricom's "Coversation" typo,
// and the sandbox-only simulate call that makes a customer pay the paybill: validation (when a
// ValidationURL is registered; its refusal cancels the payment, its silence applies
// ResponseType) and then confirmation.
#include <boost/json/serialize.hpp>

#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

constexpr std::size_t bill_ref_chars_max = 20;

struct Registration {
    std::string shortcode;
    C2bUrls urls;
};

std::string_view read_registration(const json::object& body, Registration& out) {
    const auto shortcode = digits_field(body, "ShortCode");
    if (!shortcode) return "ShortCode";
    out.shortcode = std::to_string(*shortcode);
    // Exact sentence case: Daraja refuses "completed".
    const std::string type = string_field(body, "ResponseType").value_or("");
    if (type != "Completed" && type != "Cancelled") return "ResponseType";
    out.urls.completed_by_default = type == "Completed";
    out.urls.confirmation_url = string_field(body, "ConfirmationURL").value_or("");
    if (!callback_url_ok(out.urls.confirmation_url)) return "ConfirmationURL";
    out.urls.validation_url = string_field(body, "ValidationURL").value_or("");
    if (!out.urls.validation_url.empty() && !callback_url_ok(out.urls.validation_url)) {
        return "ValidationURL";
    }
    return {};
}

std::string_view read_simulation(const json::object& body, C2bPayment& out) {
    const auto shortcode = digits_field(body, "ShortCode");
    if (!shortcode) return "ShortCode";
    out.shortcode = std::to_string(*shortcode);
    const std::string command = string_field(body, "CommandID").value_or("");
    if (command != "CustomerPayBillOnline" && command != "CustomerBuyGoodsOnline") {
        return "CommandID";
    }
    out.paybill = command == "CustomerPayBillOnline";
    const auto amount = amount_field(body, "Amount");
    if (!amount) return "Amount";
    out.amount_kes = *amount;
    const auto phone = msisdn_field(body, "Msisdn");
    if (!phone) return "Msisdn";
    out.phone = *phone;
    const json::value* bill_ref = body.if_contains("BillRefNumber");
    if (bill_ref != nullptr) {
        if (!bill_ref->is_string() || bill_ref->get_string().size() > bill_ref_chars_max) {
            return "BillRefNumber";
        }
        out.bill_ref = std::string(bill_ref->get_string());
    }
    return {};
}

std::string c2b_accepted_body(FakeDaraja::Impl& impl, std::string_view description) {
    json::object body;
    body["OriginatorCoversationID"] = next_request_id(impl);  // Safaricom's spelling
    body["ResponseCode"] = "0";
    body["ResponseDescription"] = description;
    return json::serialize(body);
}

// Whether a validation reply accepts the payment, and the ThirdPartyTransID it gives.
bool accepts(const CallbackAnswer& answer, std::string& third_party_trans_id) {
    std::string problem;
    const auto reply = json_fields::coded_body(answer.body, "ResultCode", problem);
    if (!reply || !reply->code.success()) return false;
    third_party_trans_id = json_fields::text_member(reply->object, "ThirdPartyTransID");
    return true;
}

// Books the payment's outcome and returns its confirmation, when there is one to send.
std::optional<Callback> settle_payment(FakeDaraja::Impl& impl, C2bPayment& payment, bool completed,
                                       const std::optional<C2bUrls>& urls) {
    const std::lock_guard lock(impl.mutex);
    State& state = impl.state;
    state.ledger.c2b_payments.push_back(FakeDarajaLedger::C2b{
        payment.trans_id, payment.amount_kes, payment.phone, payment.bill_ref, completed});
    if (!completed) return std::nullopt;
    state.ledger.collected_cents += payment.amount_kes * 100;
    state.c2b_balance_cents += payment.amount_kes * 100;
    payment.org_balance_cents = state.c2b_balance_cents;
    Movement movement;
    movement.receipt = payment.trans_id;
    movement.amount_kes = payment.amount_kes;
    movement.debit_party = std::to_string(payment.phone) + " - " + customer_name(payment.phone);
    movement.credit_party = payment.shortcode + " - " + impl.settings.business_name;
    movement.reason_type = payment.paybill ? "Pay Bill" : "Buy Goods";
    movement.initiated = payment.trans_time;
    movement.finalised = payment.trans_time;
    state.movements[payment.trans_id] = std::move(movement);
    if (!urls) return std::nullopt;  // nobody registered: the money moves, no one is told
    return Callback{CallbackKind::c2b, urls->confirmation_url, c2b_body(payment, true), "0",
                    payment.trans_id};
}

net::awaitable<void> run_payment(ImplPtr impl, C2bPayment payment) {
    const bool waited = co_await sleep_for(impl, impl->settings.callback_delay);
    if (!waited) co_return;
    std::optional<C2bUrls> urls;
    {
        const std::lock_guard lock(impl->mutex);
        const auto found = impl->state.c2b_urls.find(payment.shortcode);
        if (found != impl->state.c2b_urls.end()) urls = found->second;
    }
    bool completed = true;
    if (urls && !urls->validation_url.empty()) {
        std::string url = urls->validation_url;
        std::string body = c2b_body(payment, false);
        const CallbackAnswer answer = co_await ask(impl, std::move(url), std::move(body));
        // Unanswered validation falls back to the registered ResponseType.
        completed = urls->completed_by_default;
        if (answer.delivered) completed = accepts(answer, payment.third_party_trans_id);
    }
    std::optional<Callback> confirmation = settle_payment(*impl, payment, completed, urls);
    if (confirmation) co_await deliver(impl, std::move(*confirmation));
}

HttpReply simulate(const ImplPtr& impl, C2bPayment payment) {
    {
        const std::lock_guard lock(impl->mutex);
        State& state = impl->state;
        const auto now = impl->settings.clock();
        payment.trans_id = new_receipt(state, now);
        payment.trans_time = kenya_timestamp(now);
        const std::uint64_t index = state.c2b_payments++;
        payment.hashed_msisdn = fault_strikes(*impl, FaultKind::hashed_msisdn,
                                              impl->settings.faults.hashed_msisdn, index);
    }
    spawn(impl, run_payment(impl, std::move(payment)));
    return json_reply(200, c2b_accepted_body(*impl, "Accept the service request successfully."));
}

HttpReply register_urls(const ImplPtr& impl, const Registration& registration) {
    {
        const std::lock_guard lock(impl->mutex);
        impl->state.c2b_urls[registration.shortcode] = registration.urls;
    }
    return json_reply(200, c2b_accepted_body(*impl, "Success"));
}

}  // namespace

ApiCall c2b_register_call(const ImplPtr& impl, const json::object& body) {
    Registration registration;
    if (const std::string_view bad = read_registration(body, registration); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    return {std::nullopt, [impl, registration] { return register_urls(impl, registration); }};
}

ApiCall c2b_simulate_call(const ImplPtr& impl, const json::object& body) {
    C2bPayment payment;
    if (const std::string_view bad = read_simulation(body, payment); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    return {std::nullopt, [impl, payment] { return simulate(impl, payment); }};
}

}  // namespace hodi::adapters::daraja::fake
