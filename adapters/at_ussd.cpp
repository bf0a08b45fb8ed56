// HTTP side of Africa's Talking USSD: routing, form validation, the hop budget, CON/END replies.
#include "adapters/at_ussd.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "adapters/form.hpp"
#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

constexpr std::string_view ussd_path = "/ussd/at";
constexpr std::string_view events_path = "/ussd/at/events";
constexpr std::string_view form_type = "application/x-www-form-urlencoded";

HttpReply text_reply(int status, std::string body) {
    return HttpReply{.status = status, .content_type = "text/plain", .body = std::move(body)};
}

HttpReply ussd_reply(const HopReply& hop) {
    std::string body;
    body.reserve(hop.screen.size() + 4);
    body.append(hop.end ? "END " : "CON ");
    body.append(hop.screen);
    return text_reply(200, std::move(body));
}

bool is_form(std::string_view content_type) {
    if (content_type.size() < form_type.size()) return false;
    for (std::size_t index = 0; index < form_type.size(); ++index) {
        const char c = content_type[index];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != form_type[index]) return false;
    }
    const std::string_view rest = content_type.substr(form_type.size());
    return rest.empty() || rest.front() == ';' || rest.front() == ' ';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool valid_session_id(std::string_view id) {
    if (id.empty() || id.size() > session_id_chars_max) return false;
    for (const char c : id) {
        if (c < '!' || c > '~') return false;
    }
    return true;
}

// The hop request from a form, or the reason it cannot be served (answered with 400).
struct ParsedHop {
    std::optional<HopRequest> request;
    std::string reason;
};

ParsedHop parse_hop(const HttpRequest& http, engine::PhonePolicy policy) {
    if (!is_form(http.content_type)) return {std::nullopt, "content type must be " +
                                                               std::string(form_type)};
    auto form = parse_form(http.body);
    if (!form) return {std::nullopt, "malformed form body: " + form.error().message()};
    for (const std::string_view name :
         {"sessionId", "serviceCode", "phoneNumber", "networkCode", "text"}) {
        if (form->find(name) == nullptr) {
            return {std::nullopt, "missing field " + std::string(name)};
        }
    }
    const std::string& session_id = *form->find("sessionId");
    if (!valid_session_id(session_id)) return {std::nullopt, "invalid sessionId"};
    const auto phone = engine::normalise_msisdn(trim(*form->find("phoneNumber")), policy);
    if (!phone) return {std::nullopt, "phoneNumber is not a Kenyan mobile number"};
    return {HopRequest{session_id, phone->e164(), *form->find("text")}, {}};
}

// The hop's result, filled in by the hop coroutine; the timer wakes the waiting request either
// when the hop is done (cancel) or when the budget runs out (expiry).
struct PendingHop {
    explicit PendingHop(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    std::optional<HopReply> reply;
};

net::awaitable<void> run_pending_hop(std::shared_ptr<PendingHop> pending,
                                     std::shared_ptr<const engine::Menu> menu,
                                     std::shared_ptr<const HopServices> services,
                                     HopRequest request) {
    try {
        pending->reply = co_await run_hop(std::move(menu), std::move(services),
                                          std::move(request));
    } catch (const std::exception& error) {
        spdlog::error("ussd hop failed: {}", error.what());
    }
    pending->timer.cancel();
}

}  // namespace

AtUssdHandler::AtUssdHandler(std::shared_ptr<const engine::Menu> menu,
                             std::shared_ptr<storage::SessionStore> store,
                             std::shared_ptr<storage::ActionRunner> actions,
                             AtUssdSettings settings)
    : menu_(std::move(menu)), settings_(std::move(settings)) {
    HODI_ASSERT(menu_.load() != nullptr && store != nullptr && actions != nullptr);
    services_ = std::make_shared<const HopServices>(HopServices{
        .store = std::move(store),
        .actions = std::move(actions),
        .actions_max = settings_.actions_per_hop,
        .session_ttl = settings_.session_ttl,
        .clock = settings_.clock});
}

void AtUssdHandler::set_menu(std::shared_ptr<const engine::Menu> menu) {
    HODI_ASSERT(menu != nullptr);
    menu_.store(std::move(menu));
}

std::shared_ptr<const engine::Menu> AtUssdHandler::menu() const { return menu_.load(); }

net::awaitable<HttpReply> AtUssdHandler::handle(HttpRequest request) {
    std::string_view path = request.target;
    if (const auto query = path.find('?'); query != std::string_view::npos) {
        path = path.substr(0, query);
    }
    const bool get = request.method == HttpMethod::get || request.method == HttpMethod::head;
    const bool post = request.method == HttpMethod::post;
    if (path == ussd_path) {
        if (!post) co_return text_reply(405, "method not allowed");
        co_return co_await handle_hop(std::move(request));
    }
    if (path == events_path) {
        co_return post ? handle_events(request) : text_reply(405, "method not allowed");
    }
    if (path == "/healthz") {
        co_return get ? text_reply(200, "ok") : text_reply(405, "method not allowed");
    }
    if (path == "/readyz") {
        if (!get) co_return text_reply(405, "method not allowed");
        co_return services_->store->ready() ? text_reply(200, "ready")
                                            : text_reply(503, "session store not ready");
    }
    co_return text_reply(404, "not found");
}

// Answers one hop within settings_.hop_budget. The hop runs as its own coroutine so that a
// store or action that hangs cannot hold the reply: past the budget we answer END and the hop
// finishes (or not) in the background.
net::awaitable<HttpReply> AtUssdHandler::handle_hop(HttpRequest request) {
    ParsedHop parsed = parse_hop(request, settings_.phone_policy);
    if (!parsed.request) co_return text_reply(400, std::move(parsed.reason));
    std::shared_ptr<const engine::Menu> menu = menu_.load();
    const auto executor = co_await net::this_coro::executor;
    auto pending = std::make_shared<PendingHop>(executor);
    pending->timer.expires_after(settings_.hop_budget);
    const std::string session_id = parsed.request->session_id;
    net::co_spawn(executor,
                  run_pending_hop(pending, menu, services_, std::move(*parsed.request)),
                  net::detached);
    if (!pending->reply) {
        co_await pending->timer.async_wait(net::as_tuple(net::use_awaitable));
    }
    if (!pending->reply) {
        spdlog::warn("ussd session {}: no answer within the hop budget of {} ms", session_id,
                     settings_.hop_budget.count());
        co_return ussd_reply(service_error_reply(*menu, menu->default_language));
    }
    co_return ussd_reply(*pending->reply);
}

// The end-of-session notification (PROTOCOLS.md §1.6) is best-effort information: it is logged
// and always acknowledged. `input` and `lastAppResponse` are never logged: they may hold a PIN.
HttpReply AtUssdHandler::handle_events(const HttpRequest& request) const {
    auto form = parse_form(request.body);
    if (!form) {
        spdlog::warn("ussd end-of-session notification unreadable: {}", form.error().message());
        return text_reply(200, "ok");
    }
    const auto field = [&form](std::string_view name) -> std::string_view {
        const std::string* value = form->find(name);
        return value == nullptr ? std::string_view{} : std::string_view{*value};
    };
    spdlog::info("ussd session {} ended: status={} hops={} duration_ms={} error='{}'",
                 field("sessionId"), field("status"), field("hopsCount"),
                 field("durationInMillis"), field("errorMessage"));
    return text_reply(200, "ok");
}

}  // namespace hodi::adapters
