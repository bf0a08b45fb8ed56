// The sandbox Daraja's tester routes, as `hodi sim` uses them: hold a phone, wait for its
// prompt, answer it and wait until hodi has the result.
#include "app/sim_prompts.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>
#include <thread>

#include "app/sim.hpp"

namespace hodi::app {

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

adapters::HttpUrl parsed_url(std::string_view url) {
    auto parsed = adapters::parse_http_url(url);
    if (!parsed) throw std::invalid_argument("not an http:// URL: " + std::string(url));
    return *parsed;
}

// "+254712345678" as a path segment: the sandbox takes any Kenyan form, '+' escaped.
std::string phone_segment(std::string_view phone) {
    std::string segment(phone);
    if (segment.starts_with('+')) segment.replace(0, 1, "%2B");
    return segment;
}

// The JSON object of a 200 answer, or why there is none in `error`.
std::optional<json::object> object_of(const boost::system::result<adapters::HttpResponse>& reply,
                                      std::string& error) {
    if (!reply) {
        error = "cannot reach the sandbox Daraja: " + reply.error().message();
        return std::nullopt;
    }
    boost::system::error_code parse_error;
    json::value body = json::parse(reply->body, parse_error);
    if (parse_error || !body.is_object()) {
        error = "the sandbox Daraja answered HTTP " + std::to_string(reply->status) +
                " with no JSON object";
        return std::nullopt;
    }
    if (reply->status != 200) {
        const auto* why = body.as_object().if_contains("error");
        error = "the sandbox Daraja answered HTTP " + std::to_string(reply->status) +
                (why != nullptr && why->is_string() ? ": " + std::string(why->as_string()) : "");
        return std::nullopt;
    }
    return std::move(body.as_object());
}

std::string text_of(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

std::int64_t number_of(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

bool flag_of(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_bool() && value->as_bool();
}

}  // namespace

HttpPromptDesk::HttpPromptDesk(std::string_view url, std::chrono::milliseconds poll)
    : client_([url] {
          const adapters::HttpUrl parsed = parsed_url(url);
          return adapters::HttpClient(parsed.host, parsed.port,
                                      adapters::HttpClientSettings{
                                          .request_timeout = std::chrono::seconds{5}});
      }()),
      poll_(poll) {}

std::string HttpPromptDesk::hold(std::string_view phone, bool held) {
    const std::string target = "/sandbox/phones/" + phone_segment(phone) +
                               (held ? "/hold" : "/release");
    std::string error;
    object_of(client_.request("POST", target, "application/json", "{}"), error);
    return error;
}

PromptWait HttpPromptDesk::next_prompt(std::string_view phone, std::chrono::milliseconds wait) {
    const std::string target = "/sandbox/phones/" + phone_segment(phone) + "/prompts";
    const auto deadline = Clock::now() + wait;
    for (;;) {
        PromptWait result;
        const auto listing = object_of(client_.get(target), result.error);
        if (!listing) return result;
        const auto* prompts = listing->if_contains("prompts");
        if (prompts != nullptr && prompts->is_array() && !prompts->as_array().empty() &&
            prompts->as_array().front().is_object()) {
            const json::object& first = prompts->as_array().front().as_object();
            result.prompt = StkPrompt{text_of(first, "checkout_request_id"),
                                      text_of(first, "text"), number_of(first, "amount_kes")};
            return result;
        }
        if (Clock::now() >= deadline) {
            result.error = "no M-Pesa prompt reached the phone";
            return result;
        }
        std::this_thread::sleep_for(poll_);
    }
}

PromptAnswer HttpPromptDesk::answer(const std::string& checkout,
                                    const std::optional<std::string>& pin,
                                    std::chrono::milliseconds wait) {
    PromptAnswer answer;
    json::object body;
    if (pin) body["pin"] = *pin;
    const std::string target = "/sandbox/prompts/" + checkout;
    const auto answered = object_of(client_.request("POST", target + (pin ? "/accept" : "/cancel"),
                                                    "application/json", json::serialize(body)),
                                    answer.error);
    if (!answered) return answer;
    answer.result_code = text_of(*answered, "result_code");
    answer.result_desc = text_of(*answered, "result_desc");
    // The sandbox calls hodi back after its callback delay; hodi answers once it has kept it.
    const auto deadline = Clock::now() + wait;
    for (;;) {
        const auto status = object_of(client_.get(target), answer.error);
        if (!status) return answer;
        if (number_of(*status, "callbacks_delivered") > 0) return answer;
        if (flag_of(*status, "callback_abandoned")) {
            answer.error = "the sandbox could not deliver the result to hodi";
            return answer;
        }
        if (Clock::now() >= deadline) {
            answer.error = "hodi did not take the prompt's result in time";
            return answer;
        }
        std::this_thread::sleep_for(poll_);
    }
}

PayoutWait HttpPromptDesk::next_payout(std::string_view phone, std::chrono::milliseconds wait) {
    const std::string target = "/sandbox/phones/" + phone_segment(phone) + "/payouts";
    const auto deadline = Clock::now() + wait;
    for (;;) {
        PayoutWait result;
        const auto listing = object_of(client_.get(target), result.error);
        if (!listing) return result;
        const auto* payouts = listing->if_contains("payouts");
        if (payouts != nullptr && payouts->is_array()) {
            for (const json::value& entry : payouts->as_array()) {
                if (!entry.is_object()) continue;
                const json::object& payout = entry.as_object();
                const std::string id = text_of(payout, "conversation_id");
                if (number_of(payout, "results_delivered") == 0) continue;
                if (!payouts_seen_.insert(id).second) continue;
                result.message = text_of(payout, "text");
                return result;
            }
        }
        if (Clock::now() >= deadline) {
            result.error = "no M-Pesa payout reached the phone";
            return result;
        }
        std::this_thread::sleep_for(poll_);
    }
}

std::string frame_prompt(const StkPrompt& prompt) { return frame_box(prompt.text, " M-PESA "); }

}  // namespace hodi::app
