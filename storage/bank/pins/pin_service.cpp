// PIN registration, verification with lockouts, and PIN change.
#include "storage/bank/pins/pin_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <stdexcept>

#include "storage/bank/money/audit.hpp"

namespace hodi::storage {

namespace {

using boost::system::result;

bool passed(PinDeadline deadline) { return std::chrono::steady_clock::now() >= deadline; }

// On the PIN pool: nothing when the deadline passed while the job waited for a thread, so a
// flood's queue drains at once instead of running argon2 for subscribers long gone.
net::awaitable<std::optional<bool>> run_verify(const PinHasher* hasher,
                                               std::optional<std::string> hash, std::string pin,
                                               PinDeadline deadline) {
    if (passed(deadline)) co_return std::nullopt;
    co_return hasher->verify(hash, pin);
}

net::awaitable<result<std::string>> run_hash(const PinHasher* hasher, std::string pin,
                                             PinDeadline deadline) {
    if (passed(deadline)) co_return make_error_code(BankError::deadline_passed);
    auto hashed = hasher->hash(pin);
    if (!hashed) co_return make_error_code(BankError::store_failed);
    co_return std::move(*hashed);
}

// Releases a waiting-PIN-job slot when the coroutine leaves, whichever way.
class WaitingSlot {
public:
    explicit WaitingSlot(std::atomic<std::size_t>& waiting) : waiting_(waiting) {
        taken_ = waiting_.fetch_add(1) < pin_checks_waiting_max;
    }
    ~WaitingSlot() { waiting_.fetch_sub(1); }
    WaitingSlot(const WaitingSlot&) = delete;
    WaitingSlot& operator=(const WaitingSlot&) = delete;
    bool taken() const { return taken_; }

private:
    std::atomic<std::size_t>& waiting_;
    bool taken_ = false;
};

// The SQL halves of the PIN operations. Built by plain functions, never as lambdas inside a
// co_await expression: g++ 12 destroys such temporaries' captures twice.
DbFn<std::optional<User>> find_user_job(std::string phone) {
    return [phone = std::move(phone)](Connection& db) { return find_user(db, phone); };
}

DbFn<PinAttempt> record_attempt_job(User user, bool right, Seconds now, Bank::Unlocked unlocked,
                                    PinDeadline deadline) {
    return [user = std::move(user), right, now, unlocked = std::move(unlocked),
            deadline](Connection& db) -> result<PinAttempt> {
        // The writer's queue may have held it past the hop: then nothing is written, and the
        // guarded work (a withdrawal, say) never happens behind the subscriber's back.
        if (passed(deadline)) return make_error_code(BankError::deadline_passed);
        auto attempt = record_pin_attempt(db, user.id, right, now);
        if (!attempt || !right || !unlocked) return attempt;
        if (attempt->was_locked || attempt->lock.locked(now)) return attempt;
        // Its failure is its own to report (through what it captured): the attempt stands.
        in_savepoint(db, "unlocked", [&] { return unlocked(db, user); });
        return attempt;
    };
}

DbFn<PinCheck> verified_job(std::string phone, Seconds now, Bank::Unlocked unlocked,
                            PinDeadline deadline) {
    return [phone = std::move(phone), now, unlocked = std::move(unlocked),
            deadline](Connection& db) -> result<PinCheck> {
        if (passed(deadline)) return make_error_code(BankError::deadline_passed);
        auto user = find_user(db, phone);
        if (!user) return user.error();
        if (!*user || !(*user)->pin_hash) return PinCheck{PinOutcome::unregistered, 0, {}};
        if ((*user)->lock.locked(now)) return PinCheck{PinOutcome::locked, 0, std::move(*user)};
        in_savepoint(db, "unlocked", [&] { return unlocked(db, **user); });
        return PinCheck{PinOutcome::ok, pin_tries_per_stage, std::move(*user)};
    };
}

DbFn<PinChange> register_job(std::string phone, engine::Language language, std::string hashed,
                             Seconds now) {
    return [phone = std::move(phone), language, hashed = std::move(hashed),
            now](Connection& db) -> result<PinChange> {
        auto user = ensure_user(db, phone, language, now);
        if (!user) return user.error();
        if (user->pin_hash) return PinChange::exists;
        if (auto stored = set_pin_hash(db, user->id, hashed); !stored) return stored.error();
        if (auto audited = append_audit(db, {"subscriber", "pin.register", phone, "ok"}, now);
            !audited) {
            return audited.error();
        }
        return PinChange::ok;
    };
}

DbFn<PinChange> set_hash_job(std::int64_t user_id, std::string phone, std::string hashed,
                             Seconds now) {
    return [user_id, phone = std::move(phone), hashed = std::move(hashed),
            now](Connection& db) -> result<PinChange> {
        if (auto set = set_pin_hash(db, user_id, hashed); !set) return set.error();
        if (auto audited = append_audit(db, {"subscriber", "pin.changed", phone, "ok"}, now);
            !audited) {
            return audited.error();
        }
        return PinChange::ok;
    };
}

DbFn<PinChange> replace_job(std::string phone, std::string hashed, Seconds now) {
    return [phone = std::move(phone), hashed = std::move(hashed),
            now](Connection& db) -> result<PinChange> {
        auto user = find_user(db, phone);
        if (!user) return user.error();
        if (!*user || !(*user)->pin_hash) return PinChange::exists;
        return set_hash_job((*user)->id, phone, hashed, now)(db);
    };
}

}  // namespace

// Holds a phone's one PIN operation for a coroutine's scope.
class PhonePinSlot {
public:
    PhonePinSlot(Bank& bank, const std::string& phone)
        : bank_(bank), phone_(phone), taken_(bank.begin_pin_operation(phone)) {}
    ~PhonePinSlot() {
        if (taken_) bank_.end_pin_operation(phone_);
    }
    PhonePinSlot(const PhonePinSlot&) = delete;
    PhonePinSlot& operator=(const PhonePinSlot&) = delete;
    bool taken() const { return taken_; }

private:
    Bank& bank_;
    std::string phone_;
    bool taken_;
};

bool Bank::begin_pin_operation(const std::string& phone) {
    const std::lock_guard lock(phones_mutex_);
    return phones_in_progress_.insert(phone).second;
}

void Bank::end_pin_operation(const std::string& phone) {
    const std::lock_guard lock(phones_mutex_);
    phones_in_progress_.erase(phone);
}

Bank::Bank(Store& store, PinSettings settings)
    : store_(store),
      hasher_(settings),
      pin_pool_(
          static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, settings.verify_concurrency_max))) {
    // From here on the writer keys the audit chain with a key derived from the pepper (outside
    // the database) and keeps its head in a file beside the database.
    if (!key_audit_chain(store_, settings.pepper)) {
        throw std::runtime_error("bank: cannot key the audit chain");
    }
}

Bank::~Bank() { pin_pool_.join(); }

net::awaitable<result<bool>> Bank::verify(std::optional<std::string> hash, std::string pin,
                                          PinDeadline deadline) {
    const WaitingSlot slot(pin_jobs_waiting_);
    if (!slot.taken()) {
        co_return result<bool>(boost::system::in_place_error, make_error_code(BankError::busy));
    }
    const std::optional<bool> right = co_await net::co_spawn(
        pin_pool_, run_verify(&hasher_, std::move(hash), std::move(pin), deadline),
        net::use_awaitable);
    if (!right) {
        co_return result<bool>(boost::system::in_place_error,
                               make_error_code(BankError::deadline_passed));
    }
    co_return *right;
}

net::awaitable<result<std::string>> Bank::hash(std::string pin, PinDeadline deadline) {
    const WaitingSlot slot(pin_jobs_waiting_);
    if (!slot.taken()) co_return make_error_code(BankError::busy);
    co_return co_await net::co_spawn(pin_pool_, run_hash(&hasher_, std::move(pin), deadline),
                                     net::use_awaitable);
}

net::awaitable<result<PinCheck>> Bank::check_pin(std::string phone, std::string pin, Seconds now,
                                                 Unlocked unlocked, PinDeadline deadline) {
    const PhonePinSlot in_progress(*this, phone);
    if (!in_progress.taken()) co_return make_error_code(BankError::pin_in_progress);
    auto found = co_await store_.read<std::optional<User>>(find_user_job(std::move(phone)));
    if (!found) co_return found.error();
    std::optional<User>& user = *found;
    if (user && user->pin_hash && user->lock.locked(now)) {
        co_return PinCheck{PinOutcome::locked, 0, std::move(user)};
    }
    const bool registered = user && user->pin_hash;
    // A named local, not a conditional expression inside co_await: g++ 12 destroys such
    // temporaries twice.
    std::optional<std::string> stored_hash;
    if (registered) stored_hash = user->pin_hash;
    auto right = co_await verify(std::move(stored_hash), std::move(pin), deadline);
    if (!right) co_return right.error();
    if (!registered) co_return PinCheck{PinOutcome::unregistered, 0, std::move(user)};

    const bool verified = *right;
    auto attempt = co_await store_.write<PinAttempt>(
        record_attempt_job(*user, verified, now, std::move(unlocked), deadline));
    pin_attempt_writes_.fetch_add(1, std::memory_order_relaxed);
    if (!attempt) co_return attempt.error();
    user->lock = attempt->lock;
    if (attempt->was_locked || attempt->lock.locked(now)) {
        co_return PinCheck{PinOutcome::locked, 0, std::move(user)};
    }
    if (!verified) {
        co_return PinCheck{PinOutcome::wrong_pin, attempt->lock.tries_left(), std::move(user)};
    }
    co_return PinCheck{PinOutcome::ok, pin_tries_per_stage, std::move(user)};
}

net::awaitable<result<PinCheck>> Bank::run_verified(std::string phone, Seconds now,
                                                    Unlocked unlocked, PinDeadline deadline) {
    co_return co_await store_.write<PinCheck>(
        verified_job(std::move(phone), now, std::move(unlocked), deadline));
}

net::awaitable<result<PinChange>> Bank::register_pin(std::string phone, std::string pin,
                                                     std::string pin_repeat,
                                                     engine::Language language, Seconds now,
                                                     PinDeadline deadline) {
    NewPinJob job = [language, now](std::string owner, std::string hashed) {
        return register_job(std::move(owner), language, std::move(hashed), now);
    };
    co_return co_await store_new_pin(std::move(phone), std::move(pin), std::move(pin_repeat),
                                     deadline, std::move(job));
}

net::awaitable<result<PinChange>> Bank::store_new_pin(std::string phone, std::string pin,
                                                      std::string repeat, PinDeadline deadline,
                                                      NewPinJob job) {
    if (pin != repeat) co_return PinChange::mismatch;
    if (pin_weak(pin)) co_return PinChange::weak;
    const PhonePinSlot in_progress(*this, phone);
    if (!in_progress.taken()) co_return make_error_code(BankError::pin_in_progress);
    auto hashed = co_await hash(std::move(pin), deadline);
    if (!hashed) co_return hashed.error();
    co_return co_await store_.write<PinChange>(job(std::move(phone), std::move(*hashed)));
}

net::awaitable<result<Bank::ChangeResult>> Bank::change_pin(std::string phone, std::string pin,
                                                            std::string new_pin,
                                                            std::string new_pin_repeat,
                                                            Seconds now) {
    // Shape checks first: a typo in the new PIN should not cost the user a try.
    if (new_pin != new_pin_repeat) co_return ChangeResult{{}, PinChange::mismatch};
    if (pin_weak(new_pin)) co_return ChangeResult{{}, PinChange::weak};
    auto check = co_await check_pin(std::move(phone), std::move(pin), now);
    if (!check) co_return check.error();
    if (check->outcome != PinOutcome::ok) co_return ChangeResult{std::move(*check)};
    auto hashed = co_await hash(std::move(new_pin), no_pin_deadline);
    if (!hashed) co_return hashed.error();
    auto stored = co_await store_.write<PinChange>(
        set_hash_job(check->user->id, check->user->phone, std::move(*hashed), now));
    if (!stored) co_return stored.error();
    co_return ChangeResult{std::move(*check), *stored};
}

net::awaitable<result<PinChange>> Bank::replace_verified_pin(std::string phone, std::string new_pin,
                                                             std::string repeat, Seconds now,
                                                             PinDeadline deadline) {
    NewPinJob job = [now](std::string owner, std::string hashed) {
        return replace_job(std::move(owner), std::move(hashed), now);
    };
    co_return co_await store_new_pin(std::move(phone), std::move(new_pin), std::move(repeat),
                                     deadline, std::move(job));
}

}  // namespace hodi::storage
