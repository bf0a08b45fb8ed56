// The sandbox's answers: legs complete after a delay, SMS are delivered on the spot.
#include "adapters/sandbox_sender.hpp"

#include <spdlog/spdlog.h>

namespace hodi::adapters {

SendOutcome SandboxSender::answer(const storage::OutboxRow& row, storage::Seconds now) const {
    const std::string reference = "sandbox-" + std::to_string(row.id);
    if (row.kind == storage::OutboxKind::sms) {
        // The text may hold balances: it is for the subscriber, never for info-level logs.
        spdlog::debug("sms: sandbox delivers to {}: {}", row.phone, row.payload);
        return SendOutcome::succeeded(reference);
    }
    if (!row.transfer) return SendOutcome::failed("no transfer");
    const storage::Seconds complete_at =
        row.created_at + std::chrono::ceil<std::chrono::seconds>(settings_.delay);
    if (now < complete_at) return SendOutcome::accepted(reference, complete_at);
    return SendOutcome::succeeded(reference);
}

net::awaitable<SendOutcome> SandboxSender::send(storage::OutboxRow row, storage::Seconds now) {
    co_return answer(row, now);
}

std::string SandboxSender::warning() const {
    return fmt::format(
        "outbox: SANDBOX sender — nothing leaves this machine; each of its rows is marked "
        "delivered after {}s",
        std::chrono::ceil<std::chrono::seconds>(settings_.delay).count());
}

}  // namespace hodi::adapters
