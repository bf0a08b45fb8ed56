// Calls senders for a pass: a bounded pool of detached coroutines, each raced against its own
// deadline timer, so a sender that never answers costs its deadline and nothing more.
#include "adapters/outbox_calls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace hodi::adapters {

namespace {

using storage::OutboxRow;

// One call in flight. A member of Round, never moved: the timer and the signal are bound to it.
struct Call {
    explicit Call(const net::any_io_executor& executor) : deadline(executor) {}
    std::optional<SendOutcome> outcome;  ///< the first word: the sender's, or the deadline's
    net::steady_timer deadline;
    net::cancellation_signal cancel;  ///< emitted at the deadline, to stop the sender's I/O
};

// The calls of one pass. Touched on the pass's strand only; owned jointly by the pass, every
// call coroutine and every deadline handler, so a sender answering late finds it still there.
struct Round {
    Round(const net::any_io_executor& executor, std::size_t count) : wake(executor) {
        calls.reserve(count);
        for (std::size_t i = 0; i < count; ++i) calls.push_back(std::make_unique<Call>(executor));
    }

    // Keeps the first word on call `index` and wakes the pass; later words are dropped.
    bool answer(std::size_t index, SendOutcome outcome) {
        Call& call = *calls[index];
        if (call.outcome) return false;
        call.outcome = std::move(outcome);
        ++answered;
        call.deadline.cancel();
        wake.cancel();
        return true;
    }

    std::vector<std::unique_ptr<Call>> calls;
    std::size_t answered = 0;
    CallTally tally;
    net::steady_timer wake;  ///< the pass waits on it; every answer cancels it
};

net::awaitable<void> call_sender(std::shared_ptr<Round> round, std::size_t index,
                                 std::shared_ptr<OutboxSender> sender, OutboxRow row,
                                 storage::Seconds now) {
    const std::int64_t id = row.id;
    SendOutcome outcome;
    bool threw = false;
    try {
        outcome = co_await sender->send(std::move(row), now);
    } catch (const std::exception& error) {
        // The request may have gone out before the throw: for money that is unknown, not failed.
        threw = true;
        outcome = SendOutcome::unknown(std::string("sender threw: ") + error.what());
    }
    if (round->answer(index, outcome)) {
        if (threw) {
            ++round->tally.threw;
            spdlog::error("outbox: {} sender threw on row {}: {}", sender->name(), id,
                          outcome.error);
        }
        co_return;
    }
    spdlog::warn("outbox: {} answered row {} after its deadline ({}); the answer is dropped and "
                 "the row will be queried again",
                 sender->name(), id, storage::to_string(outcome.outcome));
}

void start_call(const std::shared_ptr<Round>& round, std::size_t index, const Senders& senders,
                const OutboxRow& row, storage::Seconds now, const CallLimits& limits) {
    const std::shared_ptr<OutboxSender>& sender = senders.for_kind(row.kind);
    Call& call = *round->calls[index];
    call.deadline.expires_after(limits.deadline);
    call.deadline.async_wait([round, index, id = row.id](const boost::system::error_code& ec) {
        if (ec) return;  // answered in time: answer() cancelled the timer
        if (!round->answer(index, SendOutcome::unknown("no answer within the send deadline"))) {
            return;
        }
        ++round->tally.timed_out;
        spdlog::error("outbox: row {} got no answer within the send deadline; kept for a status "
                      "query",
                      id);
        round->calls[index]->cancel.emit(net::cancellation_type::terminal);
    });
    // The completion handler keeps the Round, and with it the signal the coroutine's slot
    // points into, until the coroutine's last resumption is over: the coroutine's own copy of
    // `round` goes with its frame, before Asio's entry point resumes once more and clears the
    // slot, and by then the deadline handler may have dropped the last other copy.
    net::co_spawn(call.deadline.get_executor(), call_sender(round, index, sender, row, now),
                  net::bind_cancellation_slot(call.cancel.slot(),
                                              [keep = round](const std::exception_ptr&) {}));
}

}  // namespace

net::awaitable<CallResults> call_senders(Senders senders, std::vector<OutboxRow> rows,
                                         storage::Seconds now, CallLimits limits) {
    const std::size_t count = rows.size();
    const std::size_t in_flight_max = std::max<std::size_t>(limits.in_flight_max, 1);
    auto round = std::make_shared<Round>(co_await net::this_coro::executor, count);
    std::size_t started = 0;
    for (;;) {
        // A sender that never suspends answers inside start_call, so count again after each.
        while (started < count && started - round->answered < in_flight_max) {
            start_call(round, started, senders, rows[started], now, limits);
            ++started;
        }
        if (round->answered == count) break;
        if (started < count && started - round->answered < in_flight_max) continue;
        round->wake.expires_at(net::steady_timer::time_point::max());
        co_await round->wake.async_wait(net::as_tuple(net::use_awaitable));
    }
    CallResults results;
    results.outcomes.reserve(count);
    for (const auto& call : round->calls) results.outcomes.push_back(std::move(*call->outcome));
    results.tally = round->tally;
    co_return results;
}

}  // namespace hodi::adapters
