// The fake Daraja's test rig; see fake_daraja_fixture.hpp.
#include "tests/adapters/fake_daraja_fixture.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>

#include "adapters/daraja/request_fields.hpp"
#include "tests/adapters/raw_http.hpp"

namespace hodi::test {

namespace {

using namespace std::chrono_literals;
namespace daraja = adapters::daraja;

net::awaitable<daraja::CallbackAnswer> post_to_recorder(std::shared_ptr<CallbackRecorder> recorder,
                                                        std::string url, std::string body) {
    co_return recorder->record(std::move(url), std::move(body));
}

}  // namespace

std::vector<CallbackRecorder::Call> CallbackRecorder::calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
}

std::vector<CallbackRecorder::Call> CallbackRecorder::calls_to(std::string_view url) const {
    std::vector<Call> matching;
    for (Call& call : calls()) {
        if (call.url == url) matching.push_back(std::move(call));
    }
    return matching;
}

bool CallbackRecorder::wait_for(std::size_t count, std::string_view url,
                                std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        const auto matching = std::count_if(calls_.begin(), calls_.end(), [url](const Call& c) {
            return url.empty() || c.url == url;
        });
        return static_cast<std::size_t>(matching) >= count;
    });
}

daraja::CallbackAnswer CallbackRecorder::record(std::string url, std::string body) {
    const std::lock_guard lock(mutex_);
    const bool validation = url == c2b_validate_url;
    calls_.push_back(Call{std::move(url), std::move(body)});
    changed_.notify_all();
    if (refuse_remaining_ > 0) {
        --refuse_remaining_;
        return daraja::CallbackAnswer{false, "busy"};
    }
    if (validation) return daraja::CallbackAnswer{validation_answered_, validation_reply_};
    return daraja::CallbackAnswer{true, R"({"ResultCode":0,"ResultDesc":"Accepted"})"};
}

void CallbackRecorder::refuse_next(int count) {
    const std::lock_guard lock(mutex_);
    refuse_remaining_ = count;
}

void CallbackRecorder::answer_validation(bool answered, std::string reply) {
    const std::lock_guard lock(mutex_);
    validation_answered_ = answered;
    validation_reply_ = std::move(reply);
}

daraja::CallbackPoster recording_poster(std::shared_ptr<CallbackRecorder> recorder) {
    return std::bind_front(post_to_recorder, std::move(recorder));
}

FakeDarajaSettings fast_settings() {
    FakeDarajaSettings settings;
    settings.callback_delay = 20ms;
    settings.prompt_expiry = 2'000ms;
    settings.hang_max = 2'000ms;
    settings.callback_retry_backoff = 10ms;
    settings.faults.reorder_wait_max = 300ms;
    settings.faults.extra_delay_max = 50ms;
    return settings;
}

FakeRig::FakeRig(FakeDarajaSettings settings)
    : recorder_(std::make_shared<CallbackRecorder>()),
      fake_(std::make_unique<daraja::FakeDaraja>(io_.get_executor(), std::move(settings),
                                                 recording_poster(recorder_))),
      router_(std::make_shared<adapters::Router>()) {
    fake_->add_routes(*router_);
    adapters::HttpServerSettings http;
    http.address = "127.0.0.1";
    http.port = 0;
    http.shutdown_grace = 1'000ms;
    server_ = std::make_unique<adapters::HttpServer>(io_, http, router_);
    const auto error = server_->start();
    if (error) FAIL("cannot start the fake's server: " << error.message());
    thread_ = std::thread([this] { io_.run(); });
}

FakeRig::~FakeRig() {
    fake_->stop();
    server_->shutdown([this] { io_.stop(); });
    thread_.join();
}

DarajaReply FakeRig::call(std::string_view method, std::string_view target,
                          std::string_view authorization, std::string_view body,
                          std::chrono::milliseconds wait) {
    std::string request = std::string(method) + " " + std::string(target) +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!authorization.empty()) request += "Authorization: " + std::string(authorization) + "\r\n";
    if (method != "GET") {
        request +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
    }
    request += "\r\n";
    request += body;
    const RawExchange exchange = raw_exchange(port(), request, wait);
    DarajaReply reply;
    reply.closed = exchange.closed;
    if (exchange.received.size() >= 12 && exchange.received.starts_with("HTTP/1.1 ")) {
        reply.status = std::stoi(exchange.received.substr(9, 3));
        reply.body = std::string(raw_body(exchange.received));
    }
    return reply;
}

DarajaReply FakeRig::post(std::string_view target, std::string_view body, std::string_view token) {
    return call("POST", target, "Bearer " + std::string(token), body);
}

std::string FakeRig::token() {
    const std::string basic =
        daraja::base64_encode(settings().consumer_key + ":" + settings().consumer_secret);
    const DarajaReply reply =
        call("GET", "/oauth/v1/generate?grant_type=client_credentials", "Basic " + basic, "");
    REQUIRE(reply.status == 200);
    const auto token = daraja::parse_oauth_response(reply.body);
    REQUIRE(token.value);
    return token.value->access_token;
}

daraja::StkPushRequest FakeRig::stk_request(std::int64_t amount_kes, std::int64_t phone) const {
    daraja::StkPushRequest request;
    request.shortcode = settings().stk_shortcode;
    request.party_b = settings().till_number.value_or(settings().stk_shortcode);
    request.till = settings().till_number.has_value();
    request.timestamp = daraja::kenya_timestamp(std::chrono::system_clock::now());
    request.password = daraja::stk_password(std::to_string(request.shortcode), settings().passkey,
                                            request.timestamp);
    request.amount_kes = amount_kes;
    request.phone = phone;
    request.callback_url = std::string(stk_callback_url);
    request.account_reference = "HODI-000123";
    request.transaction_desc = "Hodi topup";
    return request;
}

std::string FakeRig::stk_query(std::string_view checkout_request_id) const {
    const std::string timestamp = daraja::kenya_timestamp(std::chrono::system_clock::now());
    const std::string password = daraja::stk_password(std::to_string(settings().stk_shortcode),
                                                      settings().passkey, timestamp);
    return daraja::stk_query_body(settings().stk_shortcode, password, timestamp,
                                  checkout_request_id);
}

daraja::B2cRequest FakeRig::b2c_request(std::string originator_id, std::int64_t amount_kes) const {
    daraja::B2cRequest request;
    request.originator_conversation_id = std::move(originator_id);
    request.initiator_name = settings().initiator_name;
    request.security_credential = "c2FuZGJveC1jcmVkZW50aWFs";
    request.amount_kes = amount_kes;
    request.party_a = settings().b2c_shortcode;
    request.party_b = test_phone;
    request.remarks = "Hodi payout";
    request.queue_timeout_url = std::string(b2c_timeout_url);
    request.result_url = std::string(b2c_result_url);
    return request;
}

std::string FakeRig::push(std::string_view token, std::int64_t amount_kes, std::int64_t phone) {
    const DarajaReply reply = post("/mpesa/stkpush/v1/processrequest",
                                   daraja::stk_push_body(stk_request(amount_kes, phone)), token);
    REQUIRE(reply.status == 200);
    const auto accepted = daraja::parse_accepted(reply.body);
    REQUIRE(accepted.value);
    REQUIRE(accepted.value->response.success());
    return accepted.value->checkout_request_id;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

std::string with_field(std::string_view body, std::string_view key, std::string_view value) {
    boost::json::object object = boost::json::parse(body).as_object();
    if (value.empty()) {
        object.erase(key);
    } else {
        object[key] = boost::json::parse(value);
    }
    return boost::json::serialize(object);
}

}  // namespace hodi::test
