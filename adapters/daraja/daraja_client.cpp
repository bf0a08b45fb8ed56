// Daraja calls: a bearer token from the cache, one POST, and a verdict that tells a request
// Daraja refused from one it may have acted on.
#include "adapters/daraja/daraja_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja {

namespace {

using boost::system::result;

bool is_client_error(int status) { return status >= 400 && status < 500; }

std::string status_detail(int status, const std::optional<DarajaError>& error) {
    std::string detail = "HTTP " + std::to_string(status);
    if (error) detail += " " + error->code + " " + error->message;
    return detail;
}

OutboundRequest json_post(std::string url, std::string token, std::string body,
                          std::chrono::milliseconds deadline) {
    OutboundRequest request;
    request.url = std::move(url);
    request.headers.emplace_back("Authorization", "Bearer " + std::move(token));
    request.content_type = "application/json";
    request.body = std::move(body);
    request.deadline = deadline;
    return request;
}

DarajaAnswer transport_failure(const OutboundFailure& failure) {
    DarajaAnswer answer;
    answer.verdict = failure.maybe_delivered ? CallVerdict::unknown : CallVerdict::not_sent;
    answer.detail = failure.detail.empty() ? failure.error.message() : failure.detail;
    return answer;
}

DarajaAnswer without_token(const boost::system::error_code& error) {
    DarajaAnswer answer;
    answer.verdict = CallVerdict::not_sent;
    answer.detail = "no OAuth token: " + error.message();
    return answer;
}

std::int64_t party_b(const DarajaSettings& settings) {
    return settings.till_number.value_or(settings.stk_shortcode);
}

}  // namespace

std::string_view to_string(CallVerdict verdict) {
    switch (verdict) {
        case CallVerdict::answered: return "answered";
        case CallVerdict::refused: return "refused";
        case CallVerdict::throttled: return "throttled";
        case CallVerdict::not_sent: return "not_sent";
        case CallVerdict::unknown: return "unknown";
    }
    return "unknown";
}

DarajaAnswer classify_reply(int status, std::string body) {
    DarajaAnswer answer;
    answer.status = status;
    answer.error = parse_error_body(body);
    answer.detail = status_detail(status, answer.error);
    answer.body = std::move(body);
    if (status >= 200 && status < 300) {
        answer.verdict = CallVerdict::answered;
    } else if (answer.error && answer.error->throttled()) {
        answer.verdict = CallVerdict::throttled;
    } else if (answer.error && answer.error->still_processing()) {
        // STK Query's "being processed": an answer, which the caller reads as pending.
        answer.verdict = CallVerdict::answered;
    } else if (is_client_error(status) || (status >= 300 && status < 400)) {
        answer.verdict = CallVerdict::refused;
    } else {
        // A 5xx may come after Daraja acted (it answers 500 for its own faults mid-way).
        answer.verdict = CallVerdict::unknown;
    }
    return answer;
}

DarajaClient::DarajaClient(net::any_io_executor executor, std::shared_ptr<OutboundHttp> http,
                           DarajaSettings settings, WallClock clock)
    : strand_(net::make_strand(std::move(executor))),
      http_(std::move(http)),
      settings_(std::move(settings)),
      clock_(std::move(clock)),
      tokens_(strand_, [this] { return fetch_token(); }) {}

net::awaitable<result<OAuthToken>> DarajaClient::fetch_token() {
    OutboundRequest request;
    request.method = HttpMethod::get;
    request.url = settings_.base_url + "/oauth/v1/generate?grant_type=client_credentials";
    request.headers.emplace_back(
        "Authorization",
        "Basic " + base64_encode(settings_.consumer_key + ":" + settings_.consumer_secret));
    request.deadline = settings_.call_deadline;
    OutboundResult reply = co_await http_->call(std::move(request));
    if (!reply.ok()) {
        spdlog::warn("daraja: OAuth failed: {}", reply.failure.detail);
        co_return reply.failure.error;
    }
    if (reply.reply->status != 200) {
        spdlog::error("daraja: OAuth refused: HTTP {} (check daraja.consumer_key and secret)",
                      reply.reply->status);
        co_return make_error_code(boost::system::errc::permission_denied);
    }
    Parsed<OAuthToken> token = parse_oauth_response(reply.reply->body);
    if (!token.value) {
        spdlog::error("daraja: OAuth answer unreadable: {}", token.problem);
        co_return make_error_code(boost::system::errc::bad_message);
    }
    co_return std::move(*token.value);
}

net::awaitable<DarajaAnswer> DarajaClient::post_on_strand(std::string path, std::string body) {
    // A token Daraja refuses (revoked, or expired early) is replaced once per call.
    for (int attempt = 0; attempt < 2; ++attempt) {
        result<std::string> token = co_await tokens_.token();
        if (!token) co_return without_token(token.error());
        OutboundResult reply = co_await http_->call(
            json_post(settings_.base_url + path, *token, body, settings_.call_deadline));
        if (!reply.ok()) co_return transport_failure(reply.failure);
        DarajaAnswer answer = classify_reply(reply.reply->status, std::move(reply.reply->body));
        if (!answer.error || !answer.error->invalid_token()) co_return answer;
        tokens_.invalidate(*token);
    }
    DarajaAnswer refused;
    refused.verdict = CallVerdict::not_sent;
    refused.detail = "Daraja refused two fresh tokens";
    co_return refused;
}

net::awaitable<DarajaAnswer> DarajaClient::post(std::string path, std::string body) {
    return net::co_spawn(strand_, post_on_strand(std::move(path), std::move(body)),
                         net::use_awaitable);
}

net::awaitable<DarajaAnswer> DarajaClient::stk_push(std::int64_t phone, std::int64_t amount_kes,
                                                    std::string account_reference,
                                                    std::string transaction_desc) {
    StkPushRequest request;
    request.shortcode = settings_.stk_shortcode;
    request.party_b = party_b(settings_);
    request.till = settings_.till_number.has_value();
    request.timestamp = kenya_timestamp(clock_());
    request.password =
        stk_password(std::to_string(settings_.stk_shortcode), settings_.passkey, request.timestamp);
    request.amount_kes = amount_kes;
    request.phone = phone;
    request.callback_url = settings_.callback_base + "/stk";
    request.account_reference = std::move(account_reference);
    request.transaction_desc = std::move(transaction_desc);
    return post("/mpesa/stkpush/v1/processrequest", stk_push_body(request));
}

net::awaitable<DarajaAnswer> DarajaClient::stk_query(std::string checkout_request_id) {
    const std::string timestamp = kenya_timestamp(clock_());
    const std::string password =
        stk_password(std::to_string(settings_.stk_shortcode), settings_.passkey, timestamp);
    return post("/mpesa/stkpushquery/v1/query",
                stk_query_body(settings_.stk_shortcode, password, timestamp,
                               checkout_request_id));
}

net::awaitable<DarajaAnswer> DarajaClient::b2c(std::string originator_id, std::int64_t phone,
                                               std::int64_t amount_kes, std::string remarks) {
    B2cRequest request;
    request.originator_conversation_id = std::move(originator_id);
    request.initiator_name = settings_.initiator_name;
    request.security_credential = settings_.security_credential;
    request.command_id = settings_.command_id;
    request.amount_kes = amount_kes;
    request.party_a = settings_.b2c_shortcode;
    request.party_b = phone;
    request.remarks = std::move(remarks);
    request.queue_timeout_url = settings_.callback_base + "/b2c/timeout";
    request.result_url = settings_.callback_base + "/b2c/result";
    return post("/mpesa/b2c/v3/paymentrequest", b2c_body(request));
}

net::awaitable<DarajaAnswer> DarajaClient::transaction_status(std::string query_id,
                                                              std::string original_id,
                                                              std::string receipt) {
    StatusQueryRequest request;
    request.originator_conversation_id = std::move(query_id);
    request.initiator_name = settings_.initiator_name;
    request.security_credential = settings_.security_credential;
    request.transaction_id = std::move(receipt);
    request.original_conversation_id = std::move(original_id);
    request.party_a = settings_.b2c_shortcode;
    request.remarks = "payout status";
    request.queue_timeout_url = settings_.callback_base + "/status/timeout";
    request.result_url = settings_.callback_base + "/status/result";
    return post("/mpesa/transactionstatus/v1/query", transaction_status_body(request));
}

net::awaitable<DarajaAnswer> DarajaClient::register_c2b(bool completed_by_default,
                                                        std::string version) {
    return post("/mpesa/c2b/" + version + "/registerurl",
                c2b_register_body(settings_.stk_shortcode, completed_by_default,
                                  settings_.callback_base + "/c2b/confirmation",
                                  settings_.callback_base + "/c2b/validation"));
}

}  // namespace hodi::adapters::daraja
