// One USSD hop: session lookup, input extraction, engine step, actions, save.
#include "adapters/ussd_hop.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "adapters/log_text.hpp"
#include "adapters/session_claim.hpp"
#include "engine/assert.hpp"
#include "engine/limits.hpp"
#include "engine/step.hpp"

namespace hodi::adapters {

namespace {

using engine::Step;

// Runs the actions `step` asks for, one after another, resuming the engine after each. The
// engine bounds the chain (engine::action_chain_max): past it, resume() ends the session with
// the service error instead of asking for another action.
// A registration from a source over its rate is answered `limited` without running: a flood of
// made-up numbers creates no subscribers and no PIN hashing past the rate.
bool registration_refused(const HopServices& services, const engine::ActionRequest& request,
                          const boost::asio::ip::address& source) {
    if (request.name != "pin.register" || !services.limits) return false;
    const std::string source_text = source.is_unspecified() ? std::string() : source.to_string();
    if (services.limits->admit_registration(source_text, std::chrono::steady_clock::now())) {
        return false;
    }
    static LogThrottle throttle(std::chrono::minutes(1));
    std::uint64_t held = 0;
    if (throttle.allow(std::chrono::steady_clock::now(), held)) {
        spdlog::warn(
            "ussd: registrations from {} over their rate; refused ({} more since the "
            "last line)",
            source_text.empty() ? "an unknown source" : source_text, held);
    }
    return true;
}

net::awaitable<Step> run_actions(std::shared_ptr<const engine::Menu> menu,
                                 std::shared_ptr<const HopServices> services,
                                 std::string session_id, boost::asio::ip::address source,
                                 Step step,
                                 std::chrono::steady_clock::time_point deadline) {
    for (std::size_t count = 0; step.action; ++count) {
        HODI_ASSERT(count < engine::action_chain_max);
        storage::ActionContext context{.phone = step.session.phone,
                                       .session_id = session_id,
                                       .language = step.session.language,
                                       .request_id = session_id + ':' + step.session.node_id + ':' +
                                                     std::to_string(step.session.hops),
                                       .deadline = deadline};
        engine::ActionRequest request = std::move(*step.action);
        step.action.reset();
        engine::ActionResult result{"limited", {}};
        if (!registration_refused(*services, request, source)) {
            result = co_await services->actions->run(std::move(request), std::move(context));
        }
        step = engine::resume(*menu, std::move(step.session), result, services->settings.clock());
    }
    co_return step;
}

// Starts a session at the root: `expired` when AT sent input for a session we do not hold
// (timed out, evicted, or begun on a menu version that no longer has its node).
Step start_session(const engine::Menu& menu, const HopRequest& request, bool expired,
                   engine::TimePoint now) {
    engine::Session session =
        engine::new_session(menu, request.session_id, request.phone, menu.default_language, now);
    return engine::begin(menu, std::move(session), now,
                         expired ? engine::StartReason::expired : engine::StartReason::dialled);
}

// What a hop keeps: after a CON screen the session, for its TTL; after END only its last
// reply, briefly, so that AT repeating the final hop gets the same END. A plain function, so
// saving costs no coroutine frame of its own.
struct Kept {
    engine::Session session;
    std::chrono::seconds ttl;
};

Kept kept_after(const engine::Menu& menu, const UssdSettings& settings, Step&& step) {
    if (step.screen.end) {
        return {engine::ended_session(std::move(step.session)), settings.ended_session_ttl};
    }
    const std::chrono::seconds configured = settings.session_ttl;
    return {std::move(step.session), configured.count() > 0 ? configured : menu.session_timeout};
}

// A PIN typed in this hop for an action in a later one is kept sealed, never in clear.
void seal_secrets(const storage::SessionSealer& sealer, engine::Session& session) {
    for (auto& [name, value] : session.secrets) {
        if (!storage::SessionSealer::is_sealed(value)) value = sealer.seal(session.id, value);
    }
}

}  // namespace

bool is_repeat(const storage::SessionSealer& sealer, const engine::LastReply& last,
               std::string_view text) {
    return last.valid && last.text_size == text.size() &&
           last.text_hash == sealer.text_digest(text);
}

std::string_view new_input(const storage::SessionSealer& sealer, const engine::LastReply& last,
                           std::string_view text) {
    if (last.valid && last.text_size == 0) return text;  // the first entry is the whole text
    if (last.valid && text.size() > last.text_size && text[last.text_size] == '*' &&
        sealer.text_digest(text.substr(0, last.text_size)) == last.text_hash) {
        return text.substr(last.text_size + 1);
    }
    const std::size_t star = text.rfind('*');
    return star == std::string_view::npos ? text : text.substr(star + 1);
}

HopReply service_error_reply(const engine::Menu& menu, engine::Language language) {
    return HopReply{menu.texts.service_error.in(language), true};
}

namespace {

// How long a hop's claim on a shared session outlives a node that died holding it: past the
// budget, as a hop that started finishes (and keeps its claim) after its reply was due.
constexpr int claim_hold_budgets = 3;

// The claim of a hop on a shared store; one with no holder (nothing to claim) on another.
// Built outside the coroutine: g++ 12 miscompiles braced initialisers of strings inside one.
storage::SessionStore::Claim claim_for(const HopServices& services) {
    storage::SessionStore::Claim claim;
    if (services.store->shared()) claim.holder = next_claim_holder();
    claim.hold = services.settings.hop_budget * claim_hold_budgets;
    return claim;
}

// The step a hop takes from its stored session (none: a new or lost one), on the menu version
// the session began on, which `menu` is set to.
Step step_from(std::shared_ptr<const engine::Menu>& menu, const HopServices& services,
               const HopRequest& request, std::optional<engine::Session>& stored,
               engine::TimePoint now) {
    if (!stored) return start_session(*menu, request, !request.text.empty(), now);
    // A session finishes on the menu version it began on, while that is still held.
    menu = services.menus->for_session(*stored);
    if (stored->last_reply.end || menu->find(stored->node_id) == nullptr) {
        // Input after the END (AT never sends it) or for a node gone from a reloaded menu:
        // start over, as for a session we no longer hold.
        return start_session(*menu, request, true, now);
    }
    const std::string_view input = new_input(*services.sealer, stored->last_reply, request.text);
    return engine::step(*menu, std::move(*stored), input, now);
}

// Frees the claim of a hop that saves nothing; a failure leaves it to expire.
net::awaitable<void> unclaim(const HopServices& services, const HopRequest& request,
                             std::string holder) {
    if (holder.empty()) co_return;
    if (const auto ec = co_await services.store->unclaim(request.session_id, std::move(holder))) {
        spdlog::warn("ussd session {}: its claim stays until it expires: {}", request.session_id,
                     ec.message());
    }
}

}  // namespace

net::awaitable<HopReply> run_hop(std::shared_ptr<const HopServices> services, HopRequest request) {
    std::shared_ptr<const engine::Menu> menu = services->menus->current();
    storage::SessionStore::Claim claim = claim_for(*services);
    const std::string& holder = claim.holder;
    // The stored session; in a store shared with other nodes also claimed for this hop, or
    // `busy` when another node's hop held it until this hop's deadline.
    boost::system::result<storage::SessionStore::Claimed> loaded(boost::system::in_place_value);
    if (holder.empty()) {
        auto plain = co_await services->store->load(request.session_id);
        if (plain) {
            loaded->session = std::move(*plain);
        } else {
            loaded = boost::system::result<storage::SessionStore::Claimed>(
                boost::system::in_place_error, plain.error());
        }
    } else {
        loaded = co_await claim_and_load_by(*services->store, request.session_id, claim,
                                            request.deadline);
    }
    if (!loaded || loaded->busy) {
        spdlog::warn("ussd session {}: {}", request.session_id,
                     loaded ? "a hop on another node held it past this one's budget"
                            : "load failed: " + loaded.error().message());
        // A claim made by a script whose answer was lost would hold the session for its whole
        // hold: free it if it is ours.
        if (!loaded) co_await unclaim(*services, request, holder);
        co_return service_error_reply(*menu, menu->default_language);
    }
    if (std::optional<engine::Session>& stored = loaded->session) {
        const bool stranger = stored->phone != request.phone;
        if (stranger || is_repeat(*services->sealer, stored->last_reply, request.text)) {
            co_await unclaim(*services, request, holder);
            // A session never changes owner: whoever presents another's id gets nothing.
            if (stranger) {
                spdlog::warn("ussd session {}: presented by another phone number; refused",
                             request.session_id);
                co_return service_error_reply(*menu, menu->default_language);
            }
            co_return HopReply{std::move(stored->last_reply.screen), stored->last_reply.end};
        }
    }
    Step step = step_from(menu, *services, request, loaded->session, services->settings.clock());
    const engine::Language language = step.session.language;
    if (step.action) {
        step = co_await run_actions(menu, services, request.session_id, request.source,
                                    std::move(step), request.deadline);
    }
    step.session.last_reply =
        engine::LastReply{.text_hash = services->sealer->text_digest(request.text),
                          .text_size = static_cast<std::uint32_t>(request.text.size()),
                          .valid = true,
                          .end = step.screen.end,
                          .screen = step.screen.text};
    HopReply reply{std::move(step.screen.text), step.screen.end};
    Kept kept = kept_after(*menu, services->settings, std::move(step));
    seal_secrets(*services->sealer, kept.session);
    // With a claim, saving frees it in the same round trip.
    boost::system::error_code ec;
    if (holder.empty()) {
        ec = co_await services->store->save(std::move(kept.session), kept.ttl);
    } else {
        ec = co_await services->store->save_and_unclaim(std::move(kept.session), kept.ttl,
                                                        claim);
    }
    if (ec) {
        spdlog::warn("ussd session {}: save failed: {}", request.session_id, ec.message());
        if (!holder.empty()) co_await unclaim(*services, request, holder);
        // After END the session is over either way; only a repeat of this hop would miss it.
        if (!reply.end) co_return service_error_reply(*menu, language);
    }
    co_return reply;
}

}  // namespace hodi::adapters
