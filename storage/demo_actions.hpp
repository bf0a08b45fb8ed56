// A stand-in ActionRunner that answers every catalogued action from fixed data in memory, so
// the shipped menu can be walked end to end before the SQLite store answers actions. It moves
// no money and remembers nothing: a deposit "succeeds" but the balance stays the same.
#pragma once

#include <memory>

#include <vector>

#include "storage/actions.hpp"
#include "storage/session_sealer.hpp"

namespace hodi::storage {

// Fixed answers: wallet balance KES 1,250; two savings goals; loan limit KES 5,000; one open
// loan; credit score 62 with the figures behind it. The PIN "1234" verifies,
// and a session that proved it (`verified`) needs none;
// any other PIN answers wrong_pin with 2 tries left. user.lookup answers `registered` unless
// the phone number ends in "0000". M-Pesa payments answer `pending` (the prompt comes later).
//
// Thread-safe: it holds no mutable state.
class DemoActions final : public ActionRunner {
public:
    // `sealer` opens the PINs the hop sealed (the one HopServices has); none: a random one.
    explicit DemoActions(std::shared_ptr<const SessionSealer> sealer = nullptr);

    const std::vector<engine::ActionSpec>& specs() const override;
    net::awaitable<engine::ActionResult> run(engine::ActionRequest request,
                                             ActionContext context) override;

    // The same answer, computed without a coroutine (run() returns it).
    static engine::ActionResult answer(const engine::ActionRequest& request,
                                       const ActionContext& context,
                                       const SessionSealer& sealer);

private:
    std::shared_ptr<const SessionSealer> sealer_;
};

}  // namespace hodi::storage
