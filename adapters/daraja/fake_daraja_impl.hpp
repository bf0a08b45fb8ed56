// The fake Daraja's insides, shared by its .cpp files (fake_daraja*.cpp): the state it keeps as
// Daraja would, the wire bodies it writes, and the machinery for callbacks and faults. Internal
// to adapters/daraja; see fake_daraja.hpp for what it does.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/daraja/fake_daraja.hpp"

namespace hodi::adapters::daraja::fake {

namespace json = boost::json;
using SteadyTime = std::chrono::steady_clock::time_point;

// One STK prompt, from the push to its answer.
struct Prompt {
    std::string merchant_request_id;
    std::string checkout_request_id;
    std::int64_t phone = 0;
    std::int64_t amount_kes = 0;
    std::string account_reference;
    std::string transaction_desc;
    std::string callback_url;
    bool on_phone = true;  ///< false: PartyB/TransactionType is wrong and it fails SFC_IC0003
    SteadyTime created{};
    std::optional<std::string> result;  ///< the ResultCode once answered
    std::string result_desc;
    std::string receipt;           ///< on success
    std::string transaction_date;  ///< YYYYMMDDHHmmss, Kenyan time, on success
    std::uint32_t callbacks_delivered = 0;  ///< copies of its result the receiver took
    bool callback_abandoned = false;        ///< a copy failed every attempt
};

// One B2C request, by its ConversationID.
struct Payout {
    std::string originator_id;
    std::string conversation_id;
    std::string command_id;
    std::int64_t phone = 0;
    std::int64_t amount_kes = 0;
    std::string result_url;
    std::string timeout_url;
    bool initiator_valid = true;  ///< InitiatorName, PartyA and SecurityCredential were right
    enum class Stage : std::uint8_t { queued, completed, failed, expired } stage = Stage::queued;
    int result_code = 0;
    std::string transaction_id;  ///< the receipt, or a placeholder on failure
    std::string initiated;       ///< YYYYMMDDHHmmss, Kenyan time
    std::string finalised;
    std::uint32_t results_delivered = 0;  ///< copies of its Result the receiver took
};

// A money movement the Transaction Status API can find, by receipt.
struct Movement {
    std::string receipt;
    std::string status = "Completed";  ///< or "Failed"
    std::int64_t amount_kes = 0;
    std::string debit_party;  ///< "600997 - HODI SANDBOX", "254712345678 - NAME"
    std::string credit_party;
    std::string originator_id;  ///< B2C's OriginatorConversationID, else ""
    std::string conversation_id;
    std::string reason_type;
    std::string initiated;
    std::string finalised;
};

struct C2bUrls {
    std::string confirmation_url;
    std::string validation_url;        ///< may be empty: no validation
    bool completed_by_default = true;  ///< ResponseType "Completed"
};

struct C2bPayment {
    std::string shortcode;
    bool paybill = true;
    std::string trans_id;
    std::string trans_time;
    std::int64_t amount_kes = 0;
    std::int64_t phone = 0;
    std::string bill_ref;
    bool hashed_msisdn = false;
    std::string third_party_trans_id;    ///< from the validation reply
    std::int64_t org_balance_cents = 0;  ///< after the payment
};

enum class CallbackKind : std::uint8_t { stk, b2c_result, b2c_timeout, status_result, c2b };

struct Callback {
    CallbackKind kind = CallbackKind::stk;
    std::string url;
    std::string body;
    std::string result_code;  ///< STK: counted by code in the ledger
    std::string subject;      ///< the id it reports: CheckoutRequestID, ConversationID, ...
};

// Everything Daraja remembers. Guarded by Impl::mutex.
struct State {
    std::mt19937_64 ids;                       ///< seeded: ids repeat run to run
    std::uint64_t sequence = 0;                ///< CheckoutRequestIDs' three digits
    std::uint64_t tickets = 0;                 ///< held-back callbacks
    std::map<std::string, SteadyTime> tokens;  ///< access token -> expiry
    std::map<std::string, Prompt> prompts;     ///< by CheckoutRequestID
    std::set<std::int64_t> held_phones;
    std::map<std::string, Payout> payouts;        ///< by ConversationID
    std::map<std::string, Movement> movements;    ///< by receipt
    std::set<std::string> receipts;               ///< every receipt issued: they never repeat
    std::map<std::string, C2bUrls> c2b_urls;      ///< by ShortCode
    std::map<std::uint64_t, Callback> held_back;  ///< reordered callbacks, by ticket
    std::uint64_t api_calls = 0;
    std::uint64_t callbacks = 0;
    std::uint64_t b2c_payouts = 0;
    std::uint64_t c2b_payments = 0;
    std::int64_t c2b_balance_cents = 0;
    FakeDarajaLedger ledger;
};

}  // namespace hodi::adapters::daraja::fake

namespace hodi::adapters::daraja {

struct FakeDaraja::Impl {
    Impl(net::any_io_executor executor, FakeDarajaSettings settings_in, CallbackPoster poster_in);

    net::strand<net::any_io_executor> strand;
    const FakeDarajaSettings settings;
    const CallbackPoster poster;
    const FaultDice dice;
    std::atomic<bool> stopped{false};

    mutable std::mutex mutex;
    fake::State state;  ///< guarded by mutex

    std::set<net::steady_timer*> timers;  ///< waits in progress; touched on `strand` only
};

}  // namespace hodi::adapters::daraja

namespace hodi::adapters::daraja::fake {

using ImplPtr = std::shared_ptr<FakeDaraja::Impl>;

// ---- wire (fake_daraja_wire.cpp): bodies and field readers. Pure.

HttpReply json_reply(int status, std::string body);
// Daraja's error body {"requestId","errorCode","errorMessage"}.
HttpReply daraja_error(int status, std::string_view code, std::string_view message,
                       std::string_view request_id);
HttpReply invalid_field(std::string_view field, std::string_view request_id);  ///< 400.002.02
std::string money_text(std::int64_t cents);        ///< 15000 -> "150.00", -5 -> "-0.05"
std::string b2c_time(std::string_view timestamp);  ///< YYYYMMDDHHmmss -> DD.MM.YYYY HH:mm:ss
std::string_view result_desc(int code);
std::string customer_name(std::int64_t phone);  ///< a stable made-up name for a phone

// Field readers: nothing when the field is missing or not of the form Daraja takes.
std::optional<std::int64_t> digits_field(const json::object& body, std::string_view key);
std::optional<std::int64_t> amount_field(const json::object& body, std::string_view key);
std::optional<std::int64_t> msisdn_field(const json::object& body, std::string_view key);
std::optional<std::string> string_field(const json::object& body, std::string_view key);
bool callback_url_ok(std::string_view url);
bool timestamp_ok(std::string_view timestamp);

std::string stk_accepted_body(const Prompt& prompt);
std::string stk_callback_body(const Prompt& prompt);
std::string stk_query_answer_body(const Prompt& prompt);
std::string b2c_accepted_body(const Payout& payout);
std::string b2c_result_body(const Payout& payout, std::int64_t utility_cents);
std::string b2c_timeout_body(const Payout& payout);
// The Transaction Status result: `found` described with ResultCode 0, else `code` alone.
std::string status_result_body(std::string_view originator_id, std::string_view conversation_id,
                               int code, const Movement* found);
std::string c2b_body(const C2bPayment& payment, bool confirmation);

// ---- state (fake_daraja_state.cpp): ids and outcomes. Callers hold Impl::mutex.

std::string new_request_id(State& state);  ///< "12345-6789012-1"
std::string new_receipt(State& state, std::chrono::system_clock::time_point now);
std::string new_conversation_id(State& state, std::string_view timestamp);  ///< AG_...
std::string new_checkout_id(State& state, std::string_view timestamp, std::int64_t phone);
std::string new_token();  ///< unpredictable: random_device, not the seed
int stk_outcome(const FakeOutcomes& outcomes, std::int64_t phone, std::int64_t amount_kes);
int b2c_outcome(const FakeOutcomes& outcomes, std::int64_t phone, std::int64_t amount_kes);
// Answers a prompt, once: records the outcome (and money on success) and returns its callback;
// nothing when it was already answered.
std::optional<Callback> settle_prompt(FakeDaraja::Impl& impl, const std::string& checkout_id,
                                      const std::string& code);

// ---- callbacks (fake_daraja_callbacks.cpp): waits and delivery. Run on Impl::strand.

// Waits `duration` on the strand; false when the fake stopped meanwhile.
net::awaitable<bool> sleep_for(ImplPtr impl, std::chrono::milliseconds duration);
// Sends a notification through the fault plan (drop, delay, reorder, duplicate) and retries.
net::awaitable<void> deliver(ImplPtr impl, Callback callback);
// Sends one callback once, no faults, no retries (C2B validation).
net::awaitable<CallbackAnswer> ask(ImplPtr impl, std::string url, std::string body);
// Runs `task` on the fake's strand; a failure is logged, never thrown.
void spawn(const ImplPtr& impl, net::awaitable<void> task);
net::awaitable<void> deliver_after(ImplPtr impl, std::chrono::milliseconds delay,
                                   Callback callback);

// ---- API calls (fake_daraja.cpp and the per-API files).

// What a call to an /mpesa/ route does once its token passed: refuse it, or act. `act` changes
// the state, schedules the callbacks and returns the answer; it may run without its answer
// being sent (FaultKind::lose_response).
struct ApiCall {
    std::optional<HttpReply> refusal;
    std::function<HttpReply()> act;
};
using ApiEndpoint = ApiCall (*)(const ImplPtr& impl, const json::object& body);

ApiCall stk_push_call(const ImplPtr& impl, const json::object& body);
ApiCall stk_query_call(const ImplPtr& impl, const json::object& body);
ApiCall b2c_v1_call(const ImplPtr& impl, const json::object& body);
ApiCall b2c_v3_call(const ImplPtr& impl, const json::object& body);
ApiCall status_query_call(const ImplPtr& impl, const json::object& body);
ApiCall c2b_register_call(const ImplPtr& impl, const json::object& body);
ApiCall c2b_simulate_call(const ImplPtr& impl, const json::object& body);

// The first API fault to strike the next call, recorded in the ledger; nothing when none does.
std::optional<FaultEvent> roll_api_fault(FakeDaraja::Impl& impl);
std::string next_request_id(FakeDaraja::Impl& impl);  ///< takes the mutex
// Whether `kind` strikes event `index`, recording it when it does. Caller holds the mutex.
bool fault_strikes(FakeDaraja::Impl& impl, FaultKind kind, const FaultOdds& odds,
                   std::uint64_t index);

// A prompt's life after the push: answered after callback_delay by the outcome rule, or, while
// a tester holds its phone, left for them until prompt_expiry (then 1037).
net::awaitable<void> run_prompt(ImplPtr impl, std::string checkout_id);

void add_sandbox_routes(Router& router, const ImplPtr& impl);

// ---- keys (fake_daraja_keys.cpp).

// Whether `credential` (base64 of RSA PKCS#1 v1.5) decrypts under `private_key_pem` to
// `password`.
bool credential_matches(std::string_view private_key_pem, std::string_view credential,
                        std::string_view password);
std::string sha256_hex(std::string_view text);

}  // namespace hodi::adapters::daraja::fake
