// The tester's side of the fake (`hodi sim`'s phone): hold a phone so its STK prompts wait,
// list what waits on it, and answer a prompt with a PIN or Cancel, as the handset would.
// Plain JSON routes under /sandbox/, without a token: they exist only in the sandbox. PINs are
// compared, never stored or logged.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <functional>

#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "engine/phone.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

HttpReply sandbox_error(int status, std::string_view why) {
    json::object body;
    body["error"] = why;
    return json_reply(status, json::serialize(body));
}

// The {phone} of a path in any Kenyan form ("0712345678", "254712345678", "%2B254712345678").
std::optional<std::int64_t> phone_of(std::string_view segment) {
    std::string text(segment);
    if (text.starts_with("%2B") || text.starts_with("%2b")) text.replace(0, 3, "+");
    const auto msisdn = engine::normalise_msisdn(text);
    if (!msisdn) return std::nullopt;
    return std::stoll(msisdn->daraja());
}

// What the handset shows, in M-Pesa's words.
std::string prompt_text(const FakeDarajaSettings& settings, const Prompt& prompt) {
    std::string text = "Do you want to pay KES " + money_text(prompt.amount_kes * 100) + " to " +
                       settings.business_name;
    if (!prompt.account_reference.empty()) text += " account no. " + prompt.account_reference;
    return text + "? Enter M-PESA PIN";
}

HttpReply phone_hold(const ImplPtr& impl, std::string_view segment, bool hold) {
    const auto phone = phone_of(segment);
    if (!phone) return sandbox_error(400, "not a Kenyan mobile number");
    std::vector<std::string> waiting;
    {
        const std::lock_guard lock(impl->mutex);
        if (hold) {
            impl->state.held_phones.insert(*phone);
        } else {
            impl->state.held_phones.erase(*phone);
            for (const auto& [id, prompt] : impl->state.prompts) {
                if (prompt.phone == *phone && prompt.on_phone && !prompt.result) {
                    waiting.push_back(id);
                }
            }
        }
    }
    // Released prompts are answered by the outcome rule after callback_delay, as if never held.
    for (std::string& id : waiting) spawn(impl, run_prompt(impl, std::move(id)));
    json::object body;
    body["phone"] = std::to_string(*phone);
    body["held"] = hold;
    return json_reply(200, json::serialize(body));
}

HttpReply prompts_on(const ImplPtr& impl, std::string_view segment) {
    const auto phone = phone_of(segment);
    if (!phone) return sandbox_error(400, "not a Kenyan mobile number");
    const auto now = std::chrono::steady_clock::now();
    json::array prompts;
    bool held = false;
    {
        const std::lock_guard lock(impl->mutex);
        held = impl->state.held_phones.contains(*phone);
        for (const auto& [id, prompt] : impl->state.prompts) {
            if (prompt.phone != *phone || !prompt.on_phone || prompt.result) continue;
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(
                prompt.created + impl->settings.prompt_expiry - now);
            json::object one;
            one["checkout_request_id"] = id;
            one["amount_kes"] = prompt.amount_kes;
            one["account_reference"] = prompt.account_reference;
            one["transaction_desc"] = prompt.transaction_desc;
            one["business_name"] = impl->settings.business_name;
            one["text"] = prompt_text(impl->settings, prompt);
            one["expires_in_seconds"] = std::max<std::int64_t>(0, left.count());
            prompts.push_back(std::move(one));
        }
    }
    json::object body;
    body["phone"] = std::to_string(*phone);
    body["held"] = held;
    body["prompts"] = std::move(prompts);
    return json_reply(200, json::serialize(body));
}

// The code M-Pesa decides once the subscriber has typed the right PIN: the outcome rule, less
// the codes only the subscriber can cause (expiry, cancel, no answer, wrong PIN).
int accepted_code(const FakeDarajaSettings& settings, const Prompt& prompt) {
    const int code = stk_outcome(settings.outcomes, prompt.phone, prompt.amount_kes);
    if (code == 1019 || code == 1032 || code == 1037 || code == 2001) return 0;
    return code;
}

HttpReply answer_prompt(const ImplPtr& impl, std::string_view checkout, const HttpRequest& request,
                        bool accept) {
    std::string pin;
    if (accept) {
        std::string problem;
        const auto body = json_fields::parse_object(request.body, problem);
        const auto given = body ? string_field(*body, "pin") : std::nullopt;
        if (!given) return sandbox_error(400, "expected {\"pin\": \"...\"}");
        pin = *given;
    }
    std::optional<Callback> callback;
    json::object reply;
    {
        const std::lock_guard lock(impl->mutex);
        const std::string id(checkout);
        const auto found = impl->state.prompts.find(id);
        if (found == impl->state.prompts.end() || !found->second.on_phone) {
            return sandbox_error(404, "no such prompt");
        }
        if (found->second.result) return sandbox_error(409, "the prompt was already answered");
        int code = 1032;  // Cancel
        if (accept && pin == impl->settings.sandbox_pin) {
            code = accepted_code(impl->settings, found->second);
        } else if (accept) {
            code = 2001;
        }
        callback = settle_prompt(*impl, id, std::to_string(code));
        reply["checkout_request_id"] = id;
        reply["result_code"] = std::to_string(code);
        reply["result_desc"] = found->second.result_desc;
    }
    if (callback) spawn(impl, deliver(impl, std::move(*callback)));
    return json_reply(200, json::serialize(reply));
}

// The payouts a phone has had an answer about, as M-Pesa's confirmation SMS words them, with
// whether hodi has taken their Result yet.
HttpReply payouts_to(const ImplPtr& impl, std::string_view segment) {
    const auto phone = phone_of(segment);
    if (!phone) return sandbox_error(400, "not a Kenyan mobile number");
    json::array payouts;
    {
        const std::lock_guard lock(impl->mutex);
        for (const auto& [id, payout] : impl->state.payouts) {
            if (payout.phone != *phone || payout.stage == Payout::Stage::queued) continue;
            std::string text = "(no money arrived: ResultCode " +
                               std::to_string(payout.result_code) + ")";
            if (payout.stage == Payout::Stage::completed) {
                text = payout.transaction_id + " Confirmed. You have received KES " +
                       money_text(payout.amount_kes * 100) + " from " +
                       impl->settings.business_name + ".";
            } else if (payout.stage == Payout::Stage::expired) {
                text = "(no money arrived: the request timed out in M-Pesa's queue)";
            }
            json::object one;
            one["conversation_id"] = id;
            one["amount_kes"] = payout.amount_kes;
            one["result_code"] = std::to_string(payout.result_code);
            one["text"] = text;
            one["results_delivered"] = payout.results_delivered;
            payouts.push_back(std::move(one));
        }
    }
    json::object body;
    body["phone"] = std::to_string(*phone);
    body["payouts"] = std::move(payouts);
    return json_reply(200, json::serialize(body));
}

net::awaitable<HttpReply> serve_payouts(ImplPtr impl, HttpRequest, PathParams params) {
    co_return payouts_to(impl, params.get("phone"));
}

// Where one prompt is: on the phone, answered, and whether hodi has taken its result yet (a
// tester's script waits for that before it looks at the balance).
HttpReply prompt_status(const ImplPtr& impl, std::string_view checkout) {
    json::object body;
    const std::lock_guard lock(impl->mutex);
    const auto found = impl->state.prompts.find(std::string(checkout));
    if (found == impl->state.prompts.end()) return sandbox_error(404, "no such prompt");
    const Prompt& prompt = found->second;
    body["checkout_request_id"] = prompt.checkout_request_id;
    body["answered"] = prompt.result.has_value();
    body["result_code"] = prompt.result.value_or("");
    body["result_desc"] = prompt.result_desc;
    body["callbacks_delivered"] = prompt.callbacks_delivered;
    body["callback_abandoned"] = prompt.callback_abandoned;
    return json_reply(200, json::serialize(body));
}

net::awaitable<HttpReply> serve_prompt(ImplPtr impl, HttpRequest, PathParams params) {
    co_return prompt_status(impl, params.get("checkout"));
}

net::awaitable<HttpReply> serve_hold(ImplPtr impl, bool hold, HttpRequest, PathParams params) {
    co_return phone_hold(impl, params.get("phone"), hold);
}

net::awaitable<HttpReply> serve_prompts(ImplPtr impl, HttpRequest, PathParams params) {
    co_return prompts_on(impl, params.get("phone"));
}

net::awaitable<HttpReply> serve_answer(ImplPtr impl, bool accept, HttpRequest request,
                                       PathParams params) {
    co_return answer_prompt(impl, params.get("checkout"), request, accept);
}

}  // namespace

void add_sandbox_routes(Router& router, const ImplPtr& impl) {
    router.add(HttpMethod::post, "/sandbox/phones/{phone}/hold",
               std::bind_front(serve_hold, impl, true));
    router.add(HttpMethod::post, "/sandbox/phones/{phone}/release",
               std::bind_front(serve_hold, impl, false));
    router.add(HttpMethod::get, "/sandbox/phones/{phone}/prompts",
               std::bind_front(serve_prompts, impl));
    router.add(HttpMethod::get, "/sandbox/phones/{phone}/payouts",
               std::bind_front(serve_payouts, impl));
    router.add(HttpMethod::get, "/sandbox/prompts/{checkout}", std::bind_front(serve_prompt, impl));
    router.add(HttpMethod::post, "/sandbox/prompts/{checkout}/accept",
               std::bind_front(serve_answer, impl, true));
    router.add(HttpMethod::post, "/sandbox/prompts/{checkout}/cancel",
               std::bind_front(serve_answer, impl, false));
}

}  // namespace hodi::adapters::daraja::fake
