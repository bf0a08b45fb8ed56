// The bank's subscriber-facing door for PINs: register, verify, change. PIN work (argon2) runs
// on its own small pool so it never stalls the network threads or the SQLite writer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "storage/bank/pins/pin_hasher.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/bank/money/users.hpp"

namespace hodi::storage {

// Waiting PIN checks beyond this many are refused with BankError::busy: an attacker flooding
// PIN attempts must not queue unbounded argon2 work.
inline constexpr std::size_t pin_checks_waiting_max = 512;

enum class PinOutcome : std::uint8_t {
    ok,            ///< the PIN verified; counters cleared
    wrong_pin,     ///< it did not; PinCheck::tries_left says how many remain before a lock
    locked,        ///< the user is locked; nothing was verified
    unregistered,  ///< no such user, or the user has no PIN yet
};

struct PinCheck {
    PinOutcome outcome = PinOutcome::unregistered;
    int tries_left = 0;
    std::optional<User> user;  ///< set unless unregistered
};

enum class PinChange : std::uint8_t { ok, exists, mismatch, weak };

// When the subscriber stops waiting for a PIN operation: argon2 work or a write that could not
// start by then is not started (BankError::deadline_passed), so nothing happens behind an
// "unavailable" reply. A PIN check that started finishes.
using PinDeadline = std::chrono::steady_clock::time_point;
inline constexpr PinDeadline no_pin_deadline = PinDeadline::max();

// Thread-safe; awaited from any executor. The Store must outlive the Bank.
class Bank {
public:
    Bank(Store& store, PinSettings settings);
    ~Bank();
    Bank(const Bank&) = delete;
    Bank& operator=(const Bank&) = delete;

    // Work a right PIN unlocks, run by check_pin in the transaction that records the attempt,
    // inside its own savepoint: when it answers an error, what it wrote is undone but the
    // attempt stays recorded. It runs on the writer thread and keeps its own answer.
    using Unlocked = std::function<boost::system::result<void>(Connection&, const User&)>;

    // Right and wrong PINs do identical work: one user read, one full argon2 verification,
    // one counter write. Unknown users get the read and the verification (against a dummy
    // hash) too; only a locked user is answered without argon2, as "locked" reveals nothing.
    // With `unlocked`, a right PIN and the work it guards commit together: one durable write
    // per guarded action instead of two, and what the work reads is read under the same lock.
    //
    // One PIN operation runs per phone at a time: another one for the same phone meanwhile is
    // refused at once (BankError::pin_in_progress), so one subscriber flooding PIN dialogs
    // holds one argon2 slot, not the pool every other subscriber waits on.
    net::awaitable<boost::system::result<PinCheck>> check_pin(
        std::string phone, std::string pin, Seconds now, Unlocked unlocked = {},
        PinDeadline deadline = no_pin_deadline);

    // The work a right PIN unlocks, for a subscriber whose PIN was verified earlier in the
    // session (the caller holds SessionSealer's proof of it): no PIN is typed, no argon2 runs
    // and no attempt is recorded, but a lock set since (by wrong PINs elsewhere) still refuses.
    // Answers ok, locked or unregistered as check_pin would.
    net::awaitable<boost::system::result<PinCheck>> run_verified(
        std::string phone, Seconds now, Unlocked unlocked, PinDeadline deadline = no_pin_deadline);

    // First PIN for a phone (creating the user and their accounts): exists when one is set.
    net::awaitable<boost::system::result<PinChange>> register_pin(
        std::string phone, std::string pin, std::string pin_repeat, engine::Language language,
        Seconds now, PinDeadline deadline = no_pin_deadline);

    // Replaces a PIN after verifying the old one; `check` carries wrong_pin/locked outcomes.
    struct ChangeResult {
        PinCheck check;
        PinChange change = PinChange::ok;
    };
    net::awaitable<boost::system::result<ChangeResult>> change_pin(std::string phone,
                                                                   std::string pin,
                                                                   std::string new_pin,
                                                                   std::string new_pin_repeat,
                                                                   Seconds now);

    // Replaces the PIN of a subscriber whose current PIN was verified earlier in the session
    // (the caller holds SessionSealer's proof of it): the current PIN need not be typed again,
    // so it is never kept between hops. `exists` answers a phone with no PIN to replace.
    net::awaitable<boost::system::result<PinChange>> replace_verified_pin(
        std::string phone, std::string new_pin, std::string repeat, Seconds now,
        PinDeadline deadline = no_pin_deadline);

    Store& store() { return store_; }
    const PinHasher& hasher() const { return hasher_; }
    std::uint64_t pin_attempt_writes() const { return pin_attempt_writes_.load(); }

private:
    net::awaitable<boost::system::result<bool>> verify(std::optional<std::string> hash,
                                                       std::string pin, PinDeadline deadline);
    net::awaitable<boost::system::result<std::string>> hash(std::string pin,
                                                            PinDeadline deadline);
    // A new PIN typed twice: shape checks, the phone's PIN slot, the hash, then the write `job`
    // builds for the phone and the hash (registration or replacement).
    using NewPinJob = std::function<DbFn<PinChange>(std::string phone, std::string hashed)>;
    net::awaitable<boost::system::result<PinChange>> store_new_pin(std::string phone,
                                                                   std::string pin,
                                                                   std::string repeat,
                                                                   PinDeadline deadline,
                                                                   NewPinJob job);
    // Marks `phone` as having a PIN operation running; false when one already is.
    bool begin_pin_operation(const std::string& phone);
    void end_pin_operation(const std::string& phone);
    friend class PhonePinSlot;

    Store& store_;
    PinHasher hasher_;
    net::thread_pool pin_pool_;
    std::atomic<std::size_t> pin_jobs_waiting_{0};
    std::atomic<std::uint64_t> pin_attempt_writes_{0};
    std::mutex phones_mutex_;
    std::unordered_set<std::string> phones_in_progress_;  ///< guarded by phones_mutex_
};

}  // namespace hodi::storage
