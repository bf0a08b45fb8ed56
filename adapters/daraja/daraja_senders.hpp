// The outbox's senders for M-Pesa over Daraja: STK Push to collect, B2C to pay out. Each call
// on a row is a request (a pending row) or a status question (a sent row), never a second
// request for a row Daraja may have acted on: a payout is sent once, and an unclear answer is
// settled by Transaction Status (payouts) or STK Query (collections).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "adapters/daraja/daraja_client.hpp"
#include "adapters/outbox_sender.hpp"

namespace hodi::adapters::daraja {

struct MpesaSenderSettings {
    // Shown on the prompt after the business name; letters, digits, spaces, hyphens, <= 12.
    std::string account_reference = "HODI";
    // The first status question comes this long after Daraja took a request: results often
    // arrive 90 s or more after the subscriber's PIN, and the callback usually comes first.
    std::chrono::seconds first_check{60};
    // Each question after comes twice as late, up to this.
    std::chrono::seconds check_max{std::chrono::hours{1}};
};

// When a row Daraja holds is looked at again after `attempts` calls on it.
std::chrono::seconds next_check(const MpesaSenderSettings& settings, int attempts);

// The texts an STK prompt shows for an outbox row: TransactionDesc by what the money is for.
std::string prompt_description(const storage::OutboxRow& row);

class StkPushSender final : public OutboxSender {
public:
    StkPushSender(std::shared_ptr<DarajaClient> client, MpesaSenderSettings settings)
        : client_(std::move(client)), settings_(std::move(settings)) {}

    net::awaitable<SendOutcome> send(storage::OutboxRow row, storage::Seconds now) override;
    std::string_view name() const override { return "daraja"; }

private:
    net::awaitable<SendOutcome> push(storage::OutboxRow row, storage::Seconds now);
    net::awaitable<SendOutcome> query(storage::OutboxRow row, storage::Seconds now);

    std::shared_ptr<DarajaClient> client_;
    MpesaSenderSettings settings_;
};

class B2cSender final : public OutboxSender {
public:
    B2cSender(std::shared_ptr<DarajaClient> client, MpesaSenderSettings settings)
        : client_(std::move(client)), settings_(std::move(settings)) {}

    net::awaitable<SendOutcome> send(storage::OutboxRow row, storage::Seconds now) override;
    std::string_view name() const override { return "daraja"; }

private:
    net::awaitable<SendOutcome> pay(storage::OutboxRow row, storage::Seconds now);
    net::awaitable<SendOutcome> ask_status(storage::OutboxRow row, storage::Seconds now);

    std::shared_ptr<DarajaClient> client_;
    MpesaSenderSettings settings_;
};

// The SendOutcome of a request's answer: accepted with `ref` for the next check, or what the
// verdict means. Pure, for tests.
SendOutcome outcome_of_request(const DarajaAnswer& answer, storage::Seconds check_at,
                               bool is_stk);

// The SendOutcome of an STK Query's answer about request `ref`: settled, still open until
// `later`, or failed when Daraja holds nothing under `ref`. Pure, for tests.
SendOutcome outcome_of_query(const DarajaAnswer& answer, const std::string& ref,
                             storage::Seconds later);

}  // namespace hodi::adapters::daraja
