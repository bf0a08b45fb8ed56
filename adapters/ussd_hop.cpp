// One USSD hop: session lookup, input extraction, engine step, actions, save.
#include "adapters/ussd_hop.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "engine/step.hpp"

namespace hodi::adapters {

namespace {

using engine::Step;

// Runs the actions `step` asks for, one after another, resuming the engine after each. Returns
// nullopt when the chain is longer than services.actions_max: a menu that loops through
// actions without showing a screen is a bug, and the subscriber gets a service error.
net::awaitable<std::optional<Step>> run_actions(std::shared_ptr<const engine::Menu> menu,
                                                std::shared_ptr<const HopServices> services,
                                                std::string session_id, Step step) {
    for (std::size_t count = 0; step.action; ++count) {
        if (count == services->actions_max) {
            spdlog::error("ussd session {}: more than {} actions in one hop at node '{}'",
                          session_id, services->actions_max, step.session.node_id);
            co_return std::nullopt;
        }
        storage::ActionContext context{
            .phone = step.session.phone,
            .session_id = session_id,
            .language = step.session.language,
            .request_id = session_id + ':' + step.session.node_id + ':' +
                          std::to_string(step.session.hops)};
        engine::ActionRequest request = std::move(*step.action);
        step.action.reset();
        const engine::ActionResult result =
            co_await services->actions->run(std::move(request), std::move(context));
        step = engine::resume(*menu, std::move(step.session), result, services->clock());
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

// What is kept of a session that ended: its owner and its last reply, nothing else (no
// variables, no history), so that AT repeating the final hop gets the same END again.
engine::Session ended_session(engine::Session&& session) {
    engine::Session kept;
    kept.id = std::move(session.id);
    kept.phone = std::move(session.phone);
    kept.menu_version = std::move(session.menu_version);
    kept.node_id = std::move(session.node_id);
    kept.language = session.language;
    kept.started = session.started;
    kept.last_seen = session.last_seen;
    kept.hops = session.hops;
    kept.last_reply = std::move(session.last_reply);
    return kept;
}

// Saves the session after a CON screen; after END keeps only its last reply, briefly. Returns
// false when the store failed to keep a session the subscriber is about to continue.
net::awaitable<bool> persist(std::shared_ptr<const engine::Menu> menu,
                             std::shared_ptr<const HopServices> services, Step step) {
    if (step.screen.end) {
        const std::string session_id = step.session.id;
        const auto ec = co_await services->store->save(ended_session(std::move(step.session)),
                                                       services->ended_session_ttl);
        // The session ends either way; only a repeat of this hop would miss the record.
        if (ec) spdlog::warn("ussd session {}: ended-session save failed: {}", session_id,
                             ec.message());
        co_return true;
    }
    const auto ttl = services->session_ttl.count() > 0 ? services->session_ttl
                                                       : menu->session_timeout;
    const std::string session_id = step.session.id;
    const auto ec = co_await services->store->save(std::move(step.session), ttl);
    if (ec) spdlog::warn("ussd session {}: save failed: {}", session_id, ec.message());
    co_return !ec;
}

}  // namespace

std::uint64_t text_hash(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

bool is_repeat(const engine::LastReply& last, std::string_view text) {
    return last.valid && last.text_size == text.size() && last.text_hash == text_hash(text);
}

std::string_view new_input(const engine::LastReply& last, std::string_view text) {
    if (last.valid && last.text_size == 0) return text;  // the first entry is the whole text
    if (last.valid && text.size() > last.text_size && text[last.text_size] == '*' &&
        text_hash(text.substr(0, last.text_size)) == last.text_hash) {
        return text.substr(last.text_size + 1);
    }
    const std::size_t star = text.rfind('*');
    return star == std::string_view::npos ? text : text.substr(star + 1);
}

HopReply service_error_reply(const engine::Menu& menu, engine::Language language) {
    return HopReply{menu.texts.service_error.in(language), true};
}

net::awaitable<HopReply> run_hop(std::shared_ptr<const engine::Menu> menu,
                                 std::shared_ptr<const HopServices> services,
                                 HopRequest request) {
    const engine::Menu& m = *menu;
    auto loaded = co_await services->store->load(request.session_id);
    if (!loaded) {
        spdlog::warn("ussd session {}: load failed: {}", request.session_id,
                     loaded.error().message());
        co_return service_error_reply(m, m.default_language);
    }
    const engine::TimePoint now = services->clock();
    Step step;
    if (std::optional<engine::Session>& stored = *loaded) {
        if (stored->phone != request.phone) {
            // A session never changes owner: whoever presents another's id gets nothing.
            spdlog::warn("ussd session {}: presented by another phone number; refused",
                         request.session_id);
            co_return service_error_reply(m, m.default_language);
        }
        if (is_repeat(stored->last_reply, request.text)) {
            co_return HopReply{std::move(stored->last_reply.screen), stored->last_reply.end};
        }
        if (stored->last_reply.end || m.find(stored->node_id) == nullptr) {
            // Input after the END (AT never sends it) or for a node gone from a reloaded menu:
            // start over, as for a session we no longer hold.
            step = start_session(m, request, true, now);
        } else {
            const std::string_view input = new_input(stored->last_reply, request.text);
            step = engine::step(m, std::move(*stored), input, now);
        }
    } else {
        step = start_session(m, request, !request.text.empty(), now);
    }
    const engine::Language language = step.session.language;
    if (step.action) {
        auto finished = co_await run_actions(menu, services, request.session_id, std::move(step));
        if (!finished) co_return service_error_reply(m, language);
        step = std::move(*finished);
    }
    step.session.last_reply = engine::LastReply{
        .text_hash = text_hash(request.text),
        .text_size = static_cast<std::uint32_t>(request.text.size()),
        .valid = true,
        .end = step.screen.end,
        .screen = step.screen.text};
    HopReply reply{step.screen.text, step.screen.end};
    if (!co_await persist(menu, services, std::move(step))) {
        co_return service_error_reply(m, language);
    }
    co_return reply;
}

}  // namespace hodi::adapters
