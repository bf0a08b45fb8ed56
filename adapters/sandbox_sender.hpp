// The sandbox sender: answers for M-Pesa and AT as the real services would, minus the money and
// the network, so `hodi serve` runs the whole loop with no account anywhere.
#pragma once

#include <chrono>

#include "adapters/outbox_sender.hpp"

namespace hodi::adapters {

struct SandboxSettings {
    std::chrono::milliseconds delay{2'000};  ///< how long a leg "takes", from its creation
};

// Every M-Pesa leg succeeds `delay` after its row was created: the first call before then
// answers accepted (the "customer" answers the prompt at created_at + delay), a call from then on
// answers succeeded. A leg without a transfer fails (there is nothing to settle). An SMS is
// delivered at once. Stateless, so thread-safe; never suspends, so never misses a deadline.
class SandboxSender final : public OutboxSender {
public:
    explicit SandboxSender(SandboxSettings settings) : settings_(settings) {}

    net::awaitable<SendOutcome> send(storage::OutboxRow row, storage::Seconds now) override;
    std::string_view name() const override { return "sandbox"; }
    std::string warning() const override;

    // The answer to a call on `row` at `now`; send() is this, awaited.
    SendOutcome answer(const storage::OutboxRow& row, storage::Seconds now) const;

private:
    SandboxSettings settings_;
};

}  // namespace hodi::adapters
