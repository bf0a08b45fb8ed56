// The fake's payouts: B2C v1 and v3 (PROTOCOLS.md §3.8), with queue timeouts after which the
// money may still move, and the Transaction Status API that tells what became of one. Like the
// real M-Pesa, a repeated OriginatorConversationID is executed again: the ledger counts it.
#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

constexpr std::size_t remarks_chars_max = 100;
constexpr std::string_view failed_transaction_id = "TCF0000000";  // as Daraja's failures carry

struct Initiator {
    std::string name;
    std::string credential;
};

struct B2cPayment {
    std::string originator_id;  ///< empty on v1: the fake makes one
    Initiator initiator;
    std::string command_id;
    std::int64_t amount_kes = 0;
    std::int64_t party_a = 0;
    std::int64_t phone = 0;
    std::string timeout_url;
    std::string result_url;
};

struct StatusQuery {
    std::string originator_id;  ///< this query's own id, echoed in its answer
    Initiator initiator;
    std::int64_t party_a = 0;
    std::string transaction_id;            ///< a receipt, may be empty
    std::string original_conversation_id;  ///< the payout's OriginatorConversationID
    std::string result_url;
};

std::string_view read_initiator(const json::object& body, std::string_view name_key,
                                Initiator& out) {
    out.name = string_field(body, name_key).value_or("");
    if (out.name.empty()) return name_key;
    out.credential = string_field(body, "SecurityCredential").value_or("");
    if (out.credential.empty()) return "SecurityCredential";
    return {};
}

bool optional_text_ok(const json::object& body, std::string_view key, std::size_t chars_max) {
    const json::value* value = body.if_contains(key);
    return value == nullptr || (value->is_string() && value->get_string().size() <= chars_max);
}

std::string_view read_b2c(const json::object& body, bool v3, B2cPayment& out) {
    if (v3) {
        const auto id = json_fields::id_member(body, "OriginatorConversationID");
        if (!id) return "OriginatorConversationID";
        out.originator_id = *id;
    }
    if (const auto bad = read_initiator(body, "InitiatorName", out.initiator); !bad.empty()) {
        return bad;
    }
    out.command_id = string_field(body, "CommandID").value_or("");
    if (out.command_id != "BusinessPayment" && out.command_id != "SalaryPayment" &&
        out.command_id != "PromotionPayment") {
        return "CommandID";
    }
    const auto amount = amount_field(body, "Amount");
    if (!amount) return "Amount";
    out.amount_kes = *amount;
    const auto party_a = digits_field(body, "PartyA");
    if (!party_a) return "PartyA";
    out.party_a = *party_a;
    const auto phone = msisdn_field(body, "PartyB");
    if (!phone) return "PartyB";
    out.phone = *phone;
    const auto remarks = string_field(body, "Remarks");
    if (!remarks || remarks->empty() || remarks->size() > remarks_chars_max) return "Remarks";
    out.timeout_url = string_field(body, "QueueTimeOutURL").value_or("");
    if (!callback_url_ok(out.timeout_url)) return "QueueTimeOutURL";
    out.result_url = string_field(body, "ResultURL").value_or("");
    if (!callback_url_ok(out.result_url)) return "ResultURL";
    // Both spellings (PROTOCOLS.md §6.4), both optional.
    if (!optional_text_ok(body, "Occasion", remarks_chars_max) ||
        !optional_text_ok(body, "Occassion", remarks_chars_max)) {
        return "Occasion";
    }
    return {};
}

// Daraja checks the initiator only once the request is queued: a wrong one fails in the result
// (2001), not in the answer.
bool initiator_valid(const FakeDarajaSettings& settings, const Initiator& initiator,
                     std::int64_t party_a, bool any_shortcode = false) {
    // A status query may ask about the STK shortcode's payments as well as the payouts.
    const bool shortcode_ok =
        party_a == settings.b2c_shortcode || (any_shortcode && party_a == settings.stk_shortcode);
    if (initiator.name != settings.initiator_name || !shortcode_ok) return false;
    return settings.initiator_private_key_pem.empty() ||
           credential_matches(settings.initiator_private_key_pem, initiator.credential,
                              settings.initiator_password);
}

void record_movement(FakeDaraja::Impl& impl, const Payout& payout) {
    Movement movement;
    movement.receipt = payout.transaction_id;
    movement.status = payout.result_code == 0 ? "Completed" : "Failed";
    movement.amount_kes = payout.amount_kes;
    movement.debit_party =
        std::to_string(impl.settings.b2c_shortcode) + " - " + impl.settings.business_name;
    movement.credit_party = std::to_string(payout.phone) + " - " + customer_name(payout.phone);
    movement.originator_id = payout.originator_id;
    movement.conversation_id = payout.conversation_id;
    movement.reason_type = "Business Payment to Customer via API";
    movement.initiated = payout.initiated;
    movement.finalised = payout.finalised;
    // A failure has no receipt: it is found by its ids only.
    const std::string key =
        payout.result_code == 0 ? payout.transaction_id : "failed:" + payout.conversation_id;
    impl.state.movements[key] = std::move(movement);
}

// The payout leaves the queue and M-Pesa decides it. Caller holds the mutex.
Callback execute(FakeDaraja::Impl& impl, const std::string& conversation_id) {
    State& state = impl.state;
    Payout& payout = state.payouts.at(conversation_id);
    const auto now = impl.settings.clock();
    payout.finalised = kenya_timestamp(now);
    payout.result_code = payout.initiator_valid
                             ? b2c_outcome(impl.settings.outcomes, payout.phone, payout.amount_kes)
                             : 2001;
    if (payout.result_code == 0) {
        payout.stage = Payout::Stage::completed;
        payout.transaction_id = new_receipt(state, now);
        state.ledger.paid_out_cents += payout.amount_kes * 100;
        if (++state.ledger.b2c_executions[payout.originator_id] > 1) {
            ++state.ledger.b2c_duplicate_executions;
        }
    } else {
        payout.stage = Payout::Stage::failed;
        payout.transaction_id = failed_transaction_id;
    }
    // A refused initiator never reaches an account: there is nothing to find later.
    if (payout.result_code != 2001) record_movement(impl, payout);
    const std::int64_t utility_cents =
        impl.settings.b2c_float_kes * 100 - state.ledger.paid_out_cents;
    return Callback{CallbackKind::b2c_result, payout.result_url,
                    b2c_result_body(payout, utility_cents), std::to_string(payout.result_code),
                    payout.conversation_id};
}

Callback time_out(FakeDaraja::Impl& impl, const std::string& conversation_id, bool executes) {
    const std::lock_guard lock(impl.mutex);
    Payout& payout = impl.state.payouts.at(conversation_id);
    if (!executes) payout.stage = Payout::Stage::expired;
    ++impl.state.ledger.queue_timeouts;
    return Callback{CallbackKind::b2c_timeout, payout.timeout_url, b2c_timeout_body(payout),
                    "9999", conversation_id};
}

net::awaitable<void> run_payout(ImplPtr impl, std::string conversation_id, bool timed_out,
                                bool executes) {
    bool waited = co_await sleep_for(impl, impl->settings.callback_delay);
    if (!waited) co_return;
    if (timed_out) {
        Callback timeout = time_out(*impl, conversation_id, executes);
        co_await deliver(impl, std::move(timeout));
        if (!executes) co_return;
        // The request sat in the queue past its timeout and still went through.
        waited = co_await sleep_for(impl, impl->settings.callback_delay);
        if (!waited) co_return;
    }
    std::optional<Callback> result;
    {
        const std::lock_guard lock(impl->mutex);
        result = execute(*impl, conversation_id);
    }
    co_await deliver(impl, std::move(*result));
}

HttpReply queue_payout(const ImplPtr& impl, const B2cPayment& request) {
    Payout payout;
    payout.originator_id = request.originator_id;
    payout.command_id = request.command_id;
    payout.phone = request.phone;
    payout.amount_kes = request.amount_kes;
    payout.result_url = request.result_url;
    payout.timeout_url = request.timeout_url;
    payout.initiator_valid = initiator_valid(impl->settings, request.initiator, request.party_a);
    bool timed_out = false;
    bool executes = true;
    std::string body;
    {
        const std::lock_guard lock(impl->mutex);
        State& state = impl->state;
        payout.initiated = kenya_timestamp(impl->settings.clock());
        payout.conversation_id = new_conversation_id(state, payout.initiated);
        if (payout.originator_id.empty()) payout.originator_id = new_request_id(state);
        ++state.ledger.b2c_accepted[payout.originator_id];
        const std::uint64_t index = state.b2c_payouts++;
        const FaultPlan& plan = impl->settings.faults;
        timed_out = fault_strikes(*impl, FaultKind::queue_timeout, plan.queue_timeout, index);
        executes = !timed_out || impl->dice.uniform(FaultKind::queue_timeout, index, 1) <
                                     plan.executes_after_timeout;
        body = b2c_accepted_body(payout);
        state.payouts.emplace(payout.conversation_id, payout);
    }
    spawn(impl, run_payout(impl, payout.conversation_id, timed_out, executes));
    return json_reply(200, std::move(body));
}

ApiCall b2c_call(const ImplPtr& impl, const json::object& body, bool v3) {
    B2cPayment payment;
    if (const std::string_view bad = read_b2c(body, v3, payment); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    return {std::nullopt, [impl, payment] { return queue_payout(impl, payment); }};
}

std::string_view read_status(const json::object& body, StatusQuery& out) {
    if (const auto bad = read_initiator(body, "Initiator", out.initiator); !bad.empty()) {
        return bad;
    }
    if (string_field(body, "CommandID") != "TransactionStatusQuery") return "CommandID";
    out.transaction_id = string_field(body, "TransactionID").value_or("");
    out.original_conversation_id = string_field(body, "OriginalConversationID").value_or("");
    out.originator_id = string_field(body, "OriginatorConversationID").value_or("");
    if (out.transaction_id.empty() && out.original_conversation_id.empty() &&
        out.originator_id.empty()) {
        return "TransactionID";
    }
    const auto party_a = digits_field(body, "PartyA");
    if (!party_a) return "PartyA";
    out.party_a = *party_a;
    const auto identifier = digits_field(body, "IdentifierType");
    if (!identifier || (*identifier != 1 && *identifier != 2 && *identifier != 4)) {
        return "IdentifierType";
    }
    out.result_url = string_field(body, "ResultURL").value_or("");
    if (!callback_url_ok(out.result_url)) return "ResultURL";
    if (!callback_url_ok(string_field(body, "QueueTimeOutURL").value_or(""))) {
        return "QueueTimeOutURL";
    }
    if (!optional_text_ok(body, "Remarks", remarks_chars_max)) return "Remarks";
    return {};
}

// The movement a status query names: by receipt, else by the payout's id (the latest run of
// it). Caller holds the mutex.
const Movement* find_movement(const State& state, const StatusQuery& query) {
    if (!query.transaction_id.empty()) {
        const auto found = state.movements.find(query.transaction_id);
        return found != state.movements.end() ? &found->second : nullptr;
    }
    const Movement* latest = nullptr;
    for (const std::string* id : {&query.original_conversation_id, &query.originator_id}) {
        if (id->empty() || latest != nullptr) continue;
        for (const auto& [key, movement] : state.movements) {
            if (movement.originator_id != *id) continue;
            if (latest == nullptr || movement.finalised >= latest->finalised) latest = &movement;
        }
    }
    return latest;
}

// The status result: the movement found, 2032 when there is none, 2001 for a bad initiator.
Callback status_result(FakeDaraja::Impl& impl, const StatusQuery& query,
                       const std::string& conversation_id) {
    const bool valid = initiator_valid(impl.settings, query.initiator, query.party_a, true);
    const std::lock_guard lock(impl.mutex);
    const Movement* found = valid ? find_movement(impl.state, query) : nullptr;
    const int code = found != nullptr ? 0 : (valid ? 2032 : 2001);
    return Callback{CallbackKind::status_result, query.result_url,
                    status_result_body(query.originator_id, conversation_id, code, found),
                    std::to_string(code), query.originator_id};
}

net::awaitable<void> run_status(ImplPtr impl, StatusQuery query, std::string conversation_id) {
    const bool waited = co_await sleep_for(impl, impl->settings.callback_delay);
    if (!waited) co_return;
    Callback result = status_result(*impl, query, conversation_id);
    co_await deliver(impl, std::move(result));
}

HttpReply accept_status(const ImplPtr& impl, StatusQuery query) {
    Payout ack;  // the acknowledgement has B2C's shape
    {
        const std::lock_guard lock(impl->mutex);
        ack.conversation_id =
            new_conversation_id(impl->state, kenya_timestamp(impl->settings.clock()));
        if (query.originator_id.empty()) query.originator_id = new_request_id(impl->state);
        ack.originator_id = query.originator_id;
        ++impl->state.ledger.status_queries;
    }
    spawn(impl, run_status(impl, std::move(query), ack.conversation_id));
    return json_reply(200, b2c_accepted_body(ack));
}

}  // namespace

ApiCall b2c_v1_call(const ImplPtr& impl, const json::object& body) {
    return b2c_call(impl, body, false);
}

ApiCall b2c_v3_call(const ImplPtr& impl, const json::object& body) {
    return b2c_call(impl, body, true);
}

ApiCall status_query_call(const ImplPtr& impl, const json::object& body) {
    StatusQuery query;
    if (const std::string_view bad = read_status(body, query); !bad.empty()) {
        return {invalid_field(bad, next_request_id(*impl)), {}};
    }
    return {std::nullopt, [impl, query] { return accept_status(impl, query); }};
}

}  // namespace hodi::adapters::daraja::fake
