// The fake Daraja's front door: its lifecycle, its routes, OAuth, the Bearer check and the
// fault plan's API faults, shared by every /mpesa/ route.
#include "adapters/daraja/fake_daraja.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <functional>

#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja {

namespace fake {

namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

// The credential after "<scheme> ", or "" when the header uses another scheme.
std::string_view credential_of(std::string_view header, std::string_view scheme) {
    if (!starts_with_nocase(header, scheme) || header.size() <= scheme.size() ||
        header[scheme.size()] != ' ') {
        return {};
    }
    std::string_view credential = header.substr(scheme.size() + 1);
    while (!credential.empty() && credential.front() == ' ') credential.remove_prefix(1);
    while (!credential.empty() && credential.back() == ' ') credential.remove_suffix(1);
    return credential;
}

HttpReply stopped_reply(FakeDaraja::Impl& impl) {
    return daraja_error(503, "503.001.01", "Service Unavailable", next_request_id(impl));
}

HttpReply oauth_reply(FakeDaraja::Impl& impl, const HttpRequest& request) {
    if (impl.stopped) return stopped_reply(impl);
    if (request.query("grant_type") != "client_credentials") {
        return daraja_error(400, "400.008.02", "Invalid grant type passed", next_request_id(impl));
    }
    const FakeDarajaSettings& settings = impl.settings;
    const std::string expected =
        base64_encode(settings.consumer_key + ":" + settings.consumer_secret);
    if (credential_of(request.header("Authorization"), "Basic") != expected) {
        return daraja_error(400, "400.008.01", "Invalid Authentication passed",
                            next_request_id(impl));
    }
    const auto now = std::chrono::steady_clock::now();
    std::string token = new_token();
    {
        const std::lock_guard lock(impl.mutex);
        std::erase_if(impl.state.tokens, [now](const auto& entry) { return entry.second <= now; });
        impl.state.tokens[token] = now + settings.token_lifetime;
        ++impl.state.ledger.tokens_issued;
    }
    json::object body;
    body["access_token"] = token;
    body["expires_in"] = std::to_string(settings.token_lifetime.count());  // a string, as Daraja's
    return json_reply(200, json::serialize(body));
}

std::optional<HttpReply> token_refusal(FakeDaraja::Impl& impl, const HttpRequest& request) {
    const std::string token(credential_of(request.header("Authorization"), "Bearer"));
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(impl.mutex);
        const auto found = impl.state.tokens.find(token);
        if (found != impl.state.tokens.end() && now < found->second) return std::nullopt;
    }
    return daraja_error(401, "401.002.01", "Invalid Access Token", next_request_id(impl));
}

// 500 or 503, evenly by the dice, neither acted on.
HttpReply server_error_reply(FakeDaraja::Impl& impl, std::uint64_t index) {
    if (impl.dice.uniform(FaultKind::server_error, index, 1) < 0.5) {
        return daraja_error(500, "500.003.1001", "Internal Server Error", next_request_id(impl));
    }
    return stopped_reply(impl);
}

net::awaitable<HttpReply> faulty_answer(ImplPtr impl, FaultEvent fault, ApiCall call) {
    if (fault.kind == FaultKind::spike_arrest) {
        co_return daraja_error(500, "500.003.02", "Spike arrest violation", next_request_id(*impl));
    }
    if (fault.kind == FaultKind::server_error) co_return server_error_reply(*impl, fault.index);
    if (fault.kind == FaultKind::hang) {
        // Waits on the fake's strand, where stop() can cut it short.
        co_await net::co_spawn(impl->strand, sleep_for(impl, impl->settings.hang_max),
                               net::use_awaitable);
        HttpReply timeout = json_reply(504, "");
        timeout.close = true;
        co_return timeout;
    }
    // lose_response: the call takes effect; its answer is lost.
    call.act();
    HttpReply lost = json_reply(500, "");
    lost.close = true;
    co_return lost;
}

net::awaitable<HttpReply> serve_api(ImplPtr impl, ApiEndpoint endpoint, HttpRequest request,
                                    PathParams) {
    if (impl->stopped) co_return stopped_reply(*impl);
    std::optional<HttpReply> refusal = token_refusal(*impl, request);
    if (refusal) co_return std::move(*refusal);
    std::string problem;
    const std::optional<json::object> body = json_fields::parse_object(request.body, problem);
    if (!body) {
        co_return daraja_error(400, "400.002.05", "Invalid Request Payload",
                               next_request_id(*impl));
    }
    ApiCall call = endpoint(impl, *body);
    if (call.refusal) co_return std::move(*call.refusal);
    const std::optional<FaultEvent> fault = roll_api_fault(*impl);
    if (!fault) co_return call.act();
    HttpReply reply = co_await faulty_answer(impl, *fault, std::move(call));
    co_return reply;
}

net::awaitable<HttpReply> serve_oauth(ImplPtr impl, HttpRequest request, PathParams) {
    co_return oauth_reply(*impl, request);
}

// Daraja answers a route called with the wrong method as if the header were wrong.
net::awaitable<HttpReply> serve_wrong_method(ImplPtr impl, HttpRequest, PathParams) {
    co_return daraja_error(404, "404.001.04", "Invalid Authentication Header",
                           next_request_id(*impl));
}

struct ApiRoute {
    std::string_view path;
    ApiEndpoint endpoint;
};

constexpr std::array<ApiRoute, 9> api_routes{{
    {"/mpesa/stkpush/v1/processrequest", stk_push_call},
    {"/mpesa/stkpushquery/v1/query", stk_query_call},
    {"/mpesa/b2c/v1/paymentrequest", b2c_v1_call},
    {"/mpesa/b2c/v3/paymentrequest", b2c_v3_call},
    {"/mpesa/transactionstatus/v1/query", status_query_call},
    {"/mpesa/c2b/v1/registerurl", c2b_register_call},
    {"/mpesa/c2b/v2/registerurl", c2b_register_call},
    {"/mpesa/c2b/v1/simulate", c2b_simulate_call},
    {"/mpesa/c2b/v2/simulate", c2b_simulate_call},
}};

}  // namespace

std::string next_request_id(FakeDaraja::Impl& impl) {
    const std::lock_guard lock(impl.mutex);
    return new_request_id(impl.state);
}

}  // namespace fake

FakeDaraja::Impl::Impl(net::any_io_executor executor, FakeDarajaSettings settings_in,
                       CallbackPoster poster_in)
    : strand(net::make_strand(std::move(executor))),
      settings(std::move(settings_in)),
      poster(std::move(poster_in)),
      dice(settings.seed) {
    // Ids follow the seed too, so a replayed run names things the same way.
    state.ids.seed(settings.seed ^ 0x6461726a61ULL);
}

FakeDaraja::FakeDaraja(net::any_io_executor executor, FakeDarajaSettings settings,
                       CallbackPoster poster)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(settings), std::move(poster))) {}

FakeDaraja::~FakeDaraja() { stop(); }

void FakeDaraja::add_routes(Router& router) {
    using fake::serve_wrong_method;
    router.add(HttpMethod::get, "/oauth/v1/generate", std::bind_front(fake::serve_oauth, impl_));
    for (const HttpMethod method : {HttpMethod::post, HttpMethod::put, HttpMethod::del}) {
        router.add(method, "/oauth/v1/generate", std::bind_front(serve_wrong_method, impl_));
    }
    for (const fake::ApiRoute& route : fake::api_routes) {
        router.add(HttpMethod::post, route.path,
                   std::bind_front(fake::serve_api, impl_, route.endpoint));
        for (const HttpMethod method : {HttpMethod::get, HttpMethod::put, HttpMethod::del}) {
            router.add(method, route.path, std::bind_front(serve_wrong_method, impl_));
        }
    }
    fake::add_sandbox_routes(router, impl_);
}

void FakeDaraja::stop() {
    if (impl_->stopped.exchange(true)) return;
    // Timers belong to the strand: they are cancelled there.
    net::post(impl_->strand, [impl = impl_] {
        for (net::steady_timer* timer : impl->timers) timer->cancel();
    });
}

FakeDarajaLedger FakeDaraja::ledger() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->state.ledger;
}

std::uint64_t FakeDaraja::seed() const { return impl_->settings.seed; }

const FakeDarajaSettings& FakeDaraja::settings() const { return impl_->settings; }

}  // namespace hodi::adapters::daraja
