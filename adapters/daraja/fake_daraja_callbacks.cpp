// How the fake Daraja calls back: cancellable waits on its strand, and delivery through the
// fault plan with retries. Daraja documents no retry schedule; the fake retries a callback the
// receiver did not take (no 2xx) callback_attempts_max times in all, the waits doubling from
// callback_retry_backoff (assumed, like the SDKs' advice that callbacks may repeat).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "adapters/daraja/fake_daraja_impl.hpp"

namespace hodi::adapters::daraja::fake {

namespace {

void log_task_failure(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& failure) {
        spdlog::error("fake daraja: a background task failed: {}", failure.what());
    }
}

// What the fault plan does to one notification.
struct Treatment {
    bool drop = false;
    bool reorder = false;
    std::chrono::milliseconds delay{0};
    std::uint32_t copies = 1;
};

Treatment treatment_of(FakeDaraja::Impl& impl) {
    const FaultPlan& plan = impl.settings.faults;
    const std::lock_guard lock(impl.mutex);
    const std::uint64_t index = impl.state.callbacks++;
    Treatment treatment;
    if (fault_strikes(impl, FaultKind::drop_callback, plan.drop_callback, index)) {
        treatment.drop = true;
        return treatment;
    }
    if (fault_strikes(impl, FaultKind::extra_delay, plan.extra_delay, index)) {
        const double share = impl.dice.uniform(FaultKind::extra_delay, index, 1);
        treatment.delay = std::chrono::milliseconds(
            static_cast<std::int64_t>(share * static_cast<double>(plan.extra_delay_max.count())));
    }
    treatment.reorder = fault_strikes(impl, FaultKind::reorder, plan.reorder, index);
    if (fault_strikes(impl, FaultKind::duplicate_callback, plan.duplicate_callback, index)) {
        treatment.copies += plan.duplicates;
    }
    return treatment;
}

void count_delivery(FakeDaraja::Impl& impl, const Callback& callback, bool delivered) {
    const std::lock_guard lock(impl.mutex);
    FakeDarajaLedger& ledger = impl.state.ledger;
    const auto prompt = callback.kind == CallbackKind::stk
                            ? impl.state.prompts.find(callback.subject)
                            : impl.state.prompts.end();
    if (!delivered) {
        ++ledger.callbacks_abandoned;
        if (prompt != impl.state.prompts.end()) prompt->second.callback_abandoned = true;
        return;
    }
    ++ledger.callbacks_delivered;
    if (callback.kind == CallbackKind::stk) ++ledger.stk_callbacks_delivered[callback.result_code];
    if (prompt != impl.state.prompts.end()) ++prompt->second.callbacks_delivered;
    if (callback.kind == CallbackKind::b2c_result) {
        const auto payout = impl.state.payouts.find(callback.subject);
        if (payout != impl.state.payouts.end()) ++payout->second.results_delivered;
    }
}

// Sends one copy, retrying until the receiver takes it, the attempts run out or the fake stops.
net::awaitable<void> post_with_retries(ImplPtr impl, Callback callback) {
    const std::uint32_t attempts = std::max<std::uint32_t>(1, impl->settings.callback_attempts_max);
    std::chrono::milliseconds backoff = impl->settings.callback_retry_backoff;
    for (std::uint32_t attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            const bool waited = co_await sleep_for(impl, backoff);
            if (!waited) co_return;
            backoff *= 2;
        }
        if (impl->stopped) co_return;
        // Named arguments: no temporaries inside the co_await expression (g++ 12).
        std::string url = callback.url;
        std::string body = callback.body;
        net::awaitable<CallbackAnswer> posting = impl->poster(std::move(url), std::move(body));
        const CallbackAnswer answer = co_await std::move(posting);
        if (answer.delivered) {
            count_delivery(*impl, callback, true);
            co_return;
        }
    }
    count_delivery(*impl, callback, false);
}

std::vector<Callback> take_held_back(FakeDaraja::Impl& impl, std::optional<std::uint64_t> only) {
    const std::lock_guard lock(impl.mutex);
    std::vector<Callback> taken;
    auto& held = impl.state.held_back;
    for (auto entry = held.begin(); entry != held.end();) {
        if (only && entry->first != *only) {
            ++entry;
            continue;
        }
        taken.push_back(std::move(entry->second));
        entry = held.erase(entry);
    }
    return taken;
}

// Keeps a reordered callback until a later one has gone; returns its ticket.
std::uint64_t hold_back(FakeDaraja::Impl& impl, const Callback& callback) {
    const std::lock_guard lock(impl.mutex);
    const std::uint64_t ticket = impl.state.tickets++;
    impl.state.held_back.emplace(ticket, callback);
    return ticket;
}

// A later callback went out: the ones held back for reordering follow it.
net::awaitable<void> release_held_back(ImplPtr impl) {
    std::vector<Callback> held = take_held_back(*impl, std::nullopt);
    for (Callback& callback : held) {
        co_await post_with_retries(impl, std::move(callback));
    }
}

// A held-back callback goes out anyway once nothing later has come for reorder_wait_max.
net::awaitable<void> release_late(ImplPtr impl, std::uint64_t ticket) {
    const bool waited = co_await sleep_for(impl, impl->settings.faults.reorder_wait_max);
    if (!waited) co_return;
    std::vector<Callback> held = take_held_back(*impl, ticket);
    for (Callback& callback : held) {
        co_await post_with_retries(impl, std::move(callback));
    }
}

}  // namespace

net::awaitable<bool> sleep_for(ImplPtr impl, std::chrono::milliseconds duration) {
    // Checked and registered in one strand turn: stop() cancels on the strand after setting
    // `stopped`, so every wait either sees the flag or is cancelled.
    if (impl->stopped) co_return false;
    if (duration <= std::chrono::milliseconds(0)) co_return true;
    net::steady_timer timer(impl->strand, duration);
    impl->timers.insert(&timer);
    auto [error] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    impl->timers.erase(&timer);
    co_return !error && !impl->stopped;
}

net::awaitable<void> deliver(ImplPtr impl, Callback callback) {
    const Treatment treatment = treatment_of(*impl);
    if (treatment.drop) co_return;
    if (treatment.delay > std::chrono::milliseconds(0)) {
        const bool waited = co_await sleep_for(impl, treatment.delay);
        if (!waited) co_return;
    }
    if (treatment.reorder) {
        // Every copy of a duplicated one is held back with it.
        for (std::uint32_t copy = 0; copy < treatment.copies; ++copy) {
            spawn(impl, release_late(impl, hold_back(*impl, callback)));
        }
        co_return;
    }
    for (std::uint32_t copy = 0; copy < treatment.copies; ++copy) {
        co_await post_with_retries(impl, callback);
    }
    co_await release_held_back(impl);
}

net::awaitable<CallbackAnswer> ask(ImplPtr impl, std::string url, std::string body) {
    if (impl->stopped) co_return CallbackAnswer{};
    net::awaitable<CallbackAnswer> posting = impl->poster(std::move(url), std::move(body));
    co_return co_await std::move(posting);
}

void spawn(const ImplPtr& impl, net::awaitable<void> task) {
    net::co_spawn(impl->strand, std::move(task), log_task_failure);
}

net::awaitable<void> deliver_after(ImplPtr impl, std::chrono::milliseconds delay,
                                   Callback callback) {
    const bool waited = co_await sleep_for(impl, delay);
    if (waited) co_await deliver(impl, std::move(callback));
}

}  // namespace hodi::adapters::daraja::fake
