// HTTP side of Africa's Talking USSD: form validation, the hop budget, CON/END replies.
#include "adapters/at_ussd.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <optional>

#include "adapters/form.hpp"
#include "adapters/log_text.hpp"
#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

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

// The five fields every AT hop carries, in the order AT documents them, and where the ones a
// hop reads sit in that order.
constexpr std::array<std::string_view, 5> hop_fields{"sessionId", "serviceCode", "phoneNumber",
                                                     "networkCode", "text"};
constexpr std::size_t session_id_field = 0;
constexpr std::size_t phone_field = 2;
constexpr std::size_t text_field = 4;
static_assert(hop_fields[session_id_field] == "sessionId" && hop_fields[phone_field] ==
              "phoneNumber" && hop_fields[text_field] == "text");

ParsedHop parse_hop(const HttpRequest& http, engine::PhonePolicy policy) {
    if (!is_form(http.content_type)) return {std::nullopt, "content type must be " +
                                                               std::string(form_type)};
    // Only the five fields are kept (a repeated one keeps its first value), straight from the
    // body: no Form of every field is built for a hop.
    std::array<std::optional<std::string>, hop_fields.size()> values;
    const auto failed = for_each_field(http.body, [&values](std::string& name, std::string& value) {
        const auto known = std::find(hop_fields.begin(), hop_fields.end(), name);
        if (known == hop_fields.end()) return;
        auto& slot = values[static_cast<std::size_t>(known - hop_fields.begin())];
        if (!slot) slot = std::move(value);
    });
    if (failed) return {std::nullopt, "malformed form body: " + failed.message()};
    for (std::size_t index = 0; index < hop_fields.size(); ++index) {
        if (!values[index]) {
            return {std::nullopt, "missing field " + std::string(hop_fields[index])};
        }
    }
    std::string& session_id = *values[session_id_field];
    if (!valid_session_id(session_id)) return {std::nullopt, "invalid sessionId"};
    const auto phone = engine::normalise_msisdn(trim(*values[phone_field]), policy);
    if (!phone) return {std::nullopt, "phoneNumber is not a Kenyan mobile number"};
    return {HopRequest{std::move(session_id), phone->e164(), std::move(*values[text_field])}, {}};
}

// The hop's result, filled in by the hop coroutine; the timer wakes the waiting request either
// when the hop is done (cancel) or when the budget runs out (expiry). The timer is made only
// when the hop has to wait: most hops (in-memory sessions, cached reads) finish before
// co_spawn returns, and then no timer is made at all.
struct PendingHop {
    std::optional<net::steady_timer> timer;
    std::optional<HopReply> reply;
};

// A hop's place among the hops in flight (HopLimits), held until the hop really ends.
class InFlight {
public:
    explicit InFlight(std::shared_ptr<HopLimits> limits) : limits_(std::move(limits)) {}
    InFlight(InFlight&&) noexcept = default;
    InFlight& operator=(InFlight&&) = delete;
    ~InFlight() {
        if (limits_) limits_->finished();
    }

private:
    std::shared_ptr<HopLimits> limits_;
};

// Runs the hop holding its session (the gate's pass) and its in-flight place until it ends,
// even when that is after the budget: a retry of the hop waits for it, then replays its reply.
net::awaitable<void> run_pending_hop(std::shared_ptr<PendingHop> pending,
                                     std::shared_ptr<const HopServices> services,
                                     HopRequest request, SessionGate::Pass pass,
                                     InFlight in_flight) {
    (void)pass;
    (void)in_flight;
    try {
        pending->reply = co_await run_hop(std::move(services), std::move(request));
    } catch (const std::exception& error) {
        spdlog::error("ussd hop failed: {}", error.what());
    }
    if (pending->timer) pending->timer->cancel();
}

// The fast END for a hop the limits refused: nothing is loaded, nothing runs.
HttpReply refused_hop(const engine::Menu& menu, HopRefusal refused, const HopRequest& hop) {
    static LogThrottle rate_log(std::chrono::minutes(1));
    static LogThrottle shed_log(std::chrono::minutes(1));
    std::uint64_t held = 0;
    if (refused == HopRefusal::phone_rate) {
        if (rate_log.allow(std::chrono::steady_clock::now(), held)) {
            spdlog::warn("ussd: {} is over its hop rate; refused ({} more since the last line)",
                         hop.phone, held);
        }
    } else if (shed_log.allow(std::chrono::steady_clock::now(), held)) {
        spdlog::warn("ussd: hops in flight at the cap; shedding {} ({} more since the last "
                     "line)",
                     hop.text.empty() ? "a new dial" : "a hop", held);
    }
    return ussd_reply(service_error_reply(menu, menu.default_language));
}

// Answers one hop within the hop budget. The hop runs as its own coroutine so that a store or
// action that hangs cannot hold the reply: past the budget we answer END and the hop finishes
// (or not) in the background.
net::awaitable<HttpReply> handle_hop(std::shared_ptr<const HopServices> services,
                                     std::shared_ptr<const CallbackGuard> guard,
                                     HttpRequest request, PathParams params) {
    if (const auto verdict = guard->check(request, params); verdict != CallbackVerdict::admit) {
        co_return refused_reply(verdict, "ussd", request);
    }
    const UssdSettings& settings = services->settings;
    ParsedHop parsed = parse_hop(request, settings.phone_policy);
    if (!parsed.request) co_return text_reply(400, std::move(parsed.reason));
    const std::shared_ptr<const engine::Menu> menu = services->menus->current();
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + settings.hop_budget;
    HopRequest& hop = *parsed.request;
    if (const HopRefusal refused = services->limits->admit(hop.phone, hop.text.empty(), started);
        refused != HopRefusal::none) {
        co_return refused_hop(*menu, refused, hop);
    }
    InFlight in_flight(services->limits);
    hop.deadline = deadline;
    hop.source = request.client;
    std::optional<SessionGate::Pass> pass = services->gate->try_enter(hop.session_id);
    if (!pass) pass = co_await services->gate->enter(hop.session_id, deadline);
    if (!pass) {
        spdlog::warn("ussd session {}: its previous hop still runs past this one's budget",
                     hop.session_id);
        co_return ussd_reply(service_error_reply(*menu, menu->default_language));
    }
    const auto executor = co_await net::this_coro::executor;
    auto pending = std::make_shared<PendingHop>();
    const std::string session_id = hop.session_id;
    // co_spawn dispatches: on this connection's executor the hop runs inline until it first
    // waits, so a hop that never waits is answered without a trip through the queue.
    net::co_spawn(executor,
                  run_pending_hop(pending, services, std::move(hop), std::move(*pass),
                                  std::move(in_flight)),
                  net::detached);
    if (!pending->reply) {
        pending->timer.emplace(executor, deadline);
        co_await pending->timer->async_wait(net::as_tuple(net::use_awaitable));
    }
    if (!pending->reply) {
        spdlog::warn("ussd session {}: no answer within the hop budget of {} ms", session_id,
                     settings.hop_budget.count());
        co_return ussd_reply(service_error_reply(*menu, menu->default_language));
    }
    co_return ussd_reply(*pending->reply);
}

// The end-of-session notification (PROTOCOLS.md §1.6) is best-effort information: it is logged
// and always acknowledged. `input` and `lastAppResponse` are never logged: they may hold a PIN.
HttpReply log_session_end(const HttpRequest& request) {
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
                 loggable(field("sessionId")), loggable(field("status")),
                 loggable(field("hopsCount")), loggable(field("durationInMillis")),
                 loggable(field("errorMessage")));
    return text_reply(200, "ok");
}

net::awaitable<HttpReply> handle_events(std::shared_ptr<const CallbackGuard> guard,
                                        HttpRequest request, PathParams params) {
    if (const auto verdict = guard->check(request, params); verdict != CallbackVerdict::admit) {
        co_return refused_reply(verdict, "ussd", request);
    }
    co_return log_session_end(request);
}

}  // namespace

void add_ussd_routes(Router& router, HopServices services, CallbackAuthSettings auth) {
    HODI_ASSERT(services.menus != nullptr && services.store != nullptr &&
                services.actions != nullptr && services.sealer != nullptr);
    if (!services.gate) services.gate = std::make_shared<SessionGate>();
    if (!services.limits) services.limits = std::make_shared<HopLimits>(services.settings.limits);
    auto shared = std::make_shared<const HopServices>(std::move(services));
    auto guard = std::make_shared<const CallbackGuard>(std::move(auth));
    router.add(HttpMethod::post, guard->pattern("/ussd/at"),
               std::bind_front(handle_hop, std::move(shared), guard));
    router.add(HttpMethod::post, guard->pattern("/ussd/at", "/events"),
               std::bind_front(handle_events, guard));
}

}  // namespace hodi::adapters
