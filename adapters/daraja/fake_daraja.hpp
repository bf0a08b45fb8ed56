// A sandbox stand-in for Safaricom's Daraja (PROTOCOLS.md §3), so hodi runs its whole M-Pesa
// loop on a fresh machine: OAuth, STK Push and Query, B2C v1/v3, Transaction Status and C2B,
// answered in Daraja's exact wire format on hodi's own HTTP server, with the state Daraja keeps
// and the callbacks it sends after a delay. Outcomes are chosen per phone and per amount; a
// tester can hold a phone and answer its prompts (routes under /sandbox/); a seeded fault plan
// reproduces what the real service does on a bad day (duplicate, late, reordered and lost
// callbacks, 5xx, hangs, spike arrest, answers lost after acting, queue timeouts).
//
// Confirmed from Daraja's documentation, SDK fixtures and recorded bodies: every wire field and
// shape in PROTOCOLS.md §3 and tests/vectors, the wrong-Password answer (HTTP 500, 500.001.1001
// "Wrong credentials", seen in several integrators' reports), and the Transaction Status request
// (`OriginalConversationID` names the payout) and its acknowledgement.
// Assumed (not documented anywhere we found; kept configurable or noted where built):
// - Transaction Status's Result: the ResultParameter keys come from two SDK fixtures that quote
//   Daraja's docs (ReceiptNo, TransactionStatus, Amount as a string, FinalisedTime and
//   InitiatedTime as YYYYMMDDHHmmss strings, DebitPartyName, CreditPartyName, ReasonType,
//   DebitAccountType, DebitPartyCharges, OriginatorConversationID, ConversationID); their order
//   and the ResultCode for an unknown transaction (2032 "The transaction receipt number does not
//   exist.", seen quoted from an M-Pesa proxy, not from Daraja's docs) are assumed.
// - The queue-timeout body (ResultCode 9999), OAuth's refusals (400.008.01 bad credentials,
//   400.008.02 bad grant type), 503's body, the sandbox PIN, the retry schedule of callbacks,
//   and that a wrong PartyB or TransactionType is accepted and then fails with SFC_IC0003.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/router.hpp"

namespace hodi::adapters::daraja {

namespace net = boost::asio;

// What the receiver of one callback answered.
struct CallbackAnswer {
    bool delivered = false;  ///< it answered 2xx
    std::string body;        ///< its reply body: C2B validation reads its ResultCode
};
// POSTs one callback `body` (JSON) to `url`. Tests record; hodi wires its OutboundHttp in. Must
// not throw; should bound its own wait (the fake awaits it before the next callback).
using CallbackPoster =
    std::function<net::awaitable<CallbackAnswer>(std::string url, std::string body)>;

// How often a fault strikes: each eligible event gets it with `probability` (0..1), and the
// first `first` eligible events get it whatever the dice say.
struct FaultOdds {
    double probability = 0;
    std::uint32_t first = 0;
};

enum class FaultKind : std::uint8_t {
    spike_arrest,        ///< 500.003.02 from Apigee; not acted on
    server_error,        ///< 500 or 503 with Daraja's error body; not acted on
    hang,                ///< accepted, never answered (until hang_max); not acted on
    lose_response,       ///< acted on, then answered 500 with no body and the connection closed
    drop_callback,       ///< the callback is never sent
    duplicate_callback,  ///< the callback is sent 1 + FaultPlan::duplicates times
    extra_delay,         ///< the callback waits up to FaultPlan::extra_delay_max more
    reorder,             ///< the callback waits until the next one has been sent
    queue_timeout,       ///< B2C: QueueTimeOutURL is called; the payout may still execute
    hashed_msisdn,       ///< C2B: MSISDN is the SHA-256 hex of the number, as v1 sends it
};
std::string_view to_string(FaultKind kind);

// The chaos a test asks for. API faults are rolled once per authenticated, valid call to an
// /mpesa/ route, in the order listed (the first that strikes wins); callback faults once per
// notification (STK result, B2C result and timeout, status result, C2B confirmation).
struct FaultPlan {
    FaultOdds spike_arrest;
    FaultOdds server_error;
    FaultOdds hang;
    FaultOdds lose_response;
    FaultOdds drop_callback;
    FaultOdds duplicate_callback;
    std::uint32_t duplicates = 1;  ///< extra copies of a duplicated callback
    FaultOdds extra_delay;
    std::chrono::milliseconds extra_delay_max{10'000};
    FaultOdds reorder;
    // A reordered callback goes out anyway after this long if no later one comes.
    std::chrono::milliseconds reorder_wait_max{30'000};
    FaultOdds queue_timeout;
    double executes_after_timeout = 0.5;  ///< chance that a timed-out payout still pays
    FaultOdds hashed_msisdn;
};

// One fault the fake applied: its kind and the index of the event it struck, counted from 0
// per family (API calls, callbacks, B2C payouts, C2B payments).
struct FaultEvent {
    FaultKind kind = FaultKind::spike_arrest;
    std::uint64_t index = 0;
    bool operator==(const FaultEvent&) const = default;
};

// The fault plan's dice. Pure: the same seed, kind, index and salt always give the same number,
// whatever order the events arrive in.
class FaultDice {
  public:
    explicit FaultDice(std::uint64_t seed) : seed_(seed) {}
    double uniform(FaultKind kind, std::uint64_t index, std::uint64_t salt = 0) const;  ///< [0,1)
    bool strikes(const FaultOdds& odds, FaultKind kind, std::uint64_t index) const;
    std::uint64_t seed() const { return seed_; }

  private:
    std::uint64_t seed_;
};

// The codes the sandbox answers without a tester: an override for the phone, else one for the
// amount, else the default rule (sandbox_result_code).
struct FakeOutcomes {
    std::map<std::int64_t, int> stk_by_phone;   ///< 2547XXXXXXXX -> ResultCode
    std::map<std::int64_t, int> stk_by_amount;  ///< whole KES -> ResultCode
    std::map<std::int64_t, int> b2c_by_phone;
    std::map<std::int64_t, int> b2c_by_amount;
    bool amount_is_code = true;  ///< apply sandbox_result_code; false: everything else succeeds
};

// The default rule: an amount equal to a failure code gives that code (1 insufficient balance,
// 1001 subscriber locked, 1019 expired, 1032 cancelled, 1037 unreachable, 2001 wrong PIN or
// initiator); any other amount succeeds (0).
int sandbox_result_code(std::int64_t amount_kes);

struct FakeDarajaSettings {
    // OAuth: the Basic credentials accepted, and how long a token lives ("expires_in").
    std::string consumer_key = "hodi-sandbox-consumer-key";
    std::string consumer_secret = "hodi-sandbox-consumer-secret";
    std::chrono::seconds token_lifetime{3599};
    // STK: the public sandbox shortcode and passkey; for a till, PartyB must be the till.
    std::int64_t stk_shortcode = 174379;
    std::string passkey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
    std::optional<std::int64_t> till_number;
    std::string business_name = "HODI SANDBOX";  ///< shown on the prompt
    // B2C and Transaction Status: the shortcode, the initiator, and optionally the private key
    // SecurityCredential is encrypted to (see generate_initiator_keys) with the password it must
    // hold. Without a key any non-empty credential passes.
    std::int64_t b2c_shortcode = 600997;
    std::string initiator_name = "testapi";
    std::string initiator_private_key_pem;
    std::string initiator_password;
    std::int64_t b2c_float_kes = 1'000'000;  ///< the utility account before any payout
    // Timing. Delays may be 0 in tests.
    std::chrono::milliseconds callback_delay{2'000};  ///< a request to its callback
    std::chrono::milliseconds prompt_expiry{60'000};  ///< a held prompt answers 1037 after it
    std::chrono::milliseconds hang_max{120'000};      ///< a hung request is closed after it
    // Callback retries (assumed; Daraja documents none): attempts in all, the first wait
    // between attempts, doubled after each.
    std::uint32_t callback_attempts_max = 3;
    std::chrono::milliseconds callback_retry_backoff{2'000};
    // The M-Pesa PIN a tester types to accept a held prompt; any other answers 2001.
    std::string sandbox_pin = "0000";
    FakeOutcomes outcomes;
    FaultPlan faults;
    std::uint64_t seed = 1;  ///< drives the fault plan and the ids
    // Wall time for timestamps and receipts' dates; Kenyan time is derived from it.
    std::function<std::chrono::system_clock::time_point()> clock = std::chrono::system_clock::now;
};

// What the fake did, for tests' assertions. Amounts in cents.
struct FakeDarajaLedger {
    std::uint64_t tokens_issued = 0;
    std::uint64_t prompts_sent = 0;                    ///< STK pushes whose prompt reached a phone
    std::map<std::string, std::uint64_t> stk_results;  ///< prompts answered, by ResultCode
    // STK callbacks the receiver took (2xx), by ResultCode; duplicates count each time.
    std::map<std::string, std::uint64_t> stk_callbacks_delivered;
    std::map<std::string, std::uint32_t> b2c_accepted;    ///< per OriginatorConversationID
    std::map<std::string, std::uint32_t> b2c_executions;  ///< money moved, per id
    std::uint64_t b2c_duplicate_executions = 0;           ///< executions beyond an id's first
    std::uint64_t queue_timeouts = 0;
    std::uint64_t status_queries = 0;
    struct C2b {
        std::string trans_id;
        std::int64_t amount_kes = 0;
        std::int64_t phone = 0;
        std::string account;     ///< BillRefNumber
        bool completed = false;  ///< false: validation refused it
    };
    std::vector<C2b> c2b_payments;
    std::int64_t collected_cents = 0;       ///< STK successes and completed C2B payments
    std::int64_t paid_out_cents = 0;        ///< B2C executions
    std::uint64_t callbacks_delivered = 0;  ///< answered 2xx (each copy of a duplicate)
    std::uint64_t callbacks_abandoned = 0;  ///< every attempt failed
    std::vector<FaultEvent> faults;         ///< in the order applied
};

// The fake service. Thread-safe: routes may run on any number of threads at once (state sits
// behind one mutex); its timers and callbacks run on its own strand of `executor`. Destroy it
// before that executor's io_context: stop() posts to it.
class FakeDaraja {
  public:
    FakeDaraja(net::any_io_executor executor, FakeDarajaSettings settings, CallbackPoster poster);
    ~FakeDaraja();  ///< stops it
    FakeDaraja(const FakeDaraja&) = delete;
    FakeDaraja& operator=(const FakeDaraja&) = delete;

    // Daraja's routes, at Daraja's paths: GET /oauth/v1/generate; POST /mpesa/stkpush/v1/
    // processrequest, /mpesa/stkpushquery/v1/query, /mpesa/b2c/v{1,3}/paymentrequest,
    // /mpesa/transactionstatus/v1/query, /mpesa/c2b/v{1,2}/registerurl and /simulate (any
    // other method: 404.001.04). And the tester's, plain JSON without a token:
    //   POST /sandbox/phones/{phone}/hold | release  -> {"phone","held"}
    //   GET  /sandbox/phones/{phone}/prompts          -> {"phone","held","prompts":[{
    //        "checkout_request_id","amount_kes","account_reference","transaction_desc",
    //        "business_name","text","expires_in_seconds"}]}
    //   POST /sandbox/prompts/{checkout}/accept {"pin":"0000"} | cancel
    //        -> {"checkout_request_id","result_code","result_desc"}; 404 unknown, 409 answered
    //   GET  /sandbox/phones/{phone}/payouts -> {"phone","payouts":[{"conversation_id",
    //        "amount_kes","result_code","text","results_delivered"}]}: payouts M-Pesa answered
    //   GET  /sandbox/prompts/{checkout} -> {"checkout_request_id","answered","result_code",
    //        "result_desc","callbacks_delivered","callback_abandoned"}; 404 unknown
    // {phone} takes any Kenyan form (0712..., 254712..., %2B254712...). Call once.
    void add_routes(Router& router);

    // Cancels every timer, pending callback and hung request, so the io_context can finish;
    // later requests are answered 503. Idempotent; callable from any thread.
    void stop();

    FakeDarajaLedger ledger() const;  ///< a snapshot
    std::uint64_t seed() const;
    const FakeDarajaSettings& settings() const;

    struct Impl;  // defined in fake_daraja_impl.hpp

  private:
    std::shared_ptr<Impl> impl_;
};

// A fresh 2048-bit RSA key pair for sandbox SecurityCredentials: the private key for
// FakeDarajaSettings::initiator_private_key_pem, the public key for hodi's
// security_credential(). Nothing, and why in `problem`, when OpenSSL fails.
struct InitiatorKeys {
    std::string private_key_pem;
    std::string public_key_pem;
};
std::optional<InitiatorKeys> generate_initiator_keys(std::string& problem);

}  // namespace hodi::adapters::daraja
