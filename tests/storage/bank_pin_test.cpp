// PINs: weak-PIN rule, peppered argon2id, the lockout ladder, operator unlock, equal work.
#include "storage/bank/pins/pin_service.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using namespace hodi::storage;
using namespace std::chrono_literals;

const Seconds start{std::chrono::seconds{1'800'000'000}};
const std::string phone = "+254712345678";

// Runs one bank coroutine to completion on a private io_context.
template <class T>
T run(net::awaitable<T> task) {
    net::io_context io;
    auto future = net::co_spawn(io, std::move(task), net::use_future);
    io.run();
    return future.get();
}

struct Fixture {
    hodi::test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Bank> bank;

    Fixture() { reopen(); }
    void reopen() {
        bank.reset();
        store.reset();
        store = Store::open(StoreSettings{dir.path() / "hodi.db"}).value();
        bank = std::make_unique<Bank>(*store, pin_settings_for_tests());
    }
    PinCheck check(const std::string& pin, Seconds now) {
        return run(bank->check_pin(phone, pin, now)).value();
    }
    void register_user() {
        REQUIRE(run(bank->register_pin(phone, "2580", "2580", hodi::engine::Language::sw,
                                       start)).value() == PinChange::ok);
    }
};

}  // namespace

TEST_CASE("weak and malformed PINs are recognised") {
    // Goal: PINs guessed first are refused at registration. Method: table.
    for (const char* weak : {"0000", "1111", "1234", "6789", "9876", "3210", "123", "12345",
                             "12a4", ""}) {
        CAPTURE(weak);
        CHECK(pin_weak(weak));
    }
    for (const char* fine : {"2580", "1357", "0912", "1123"}) {
        CAPTURE(fine);
        CHECK_FALSE(pin_weak(fine));
    }
}

TEST_CASE("wrong PINs climb the ladder: 1 hour, then 24 hours, then an operator") {
    // Goal: the lockout policy as a pure function of counters and time. Method: nine misses.
    PinLock lock;
    lock = after_pin_attempt(lock, false, start);
    lock = after_pin_attempt(lock, false, start);
    CHECK(lock.tries_left() == 1);
    lock = after_pin_attempt(lock, false, start);
    CHECK(lock.locked(start + 59min));
    CHECK_FALSE(lock.locked(start + 60min));
    for (int i = 0; i < 3; ++i) lock = after_pin_attempt(lock, false, start + 2h);
    CHECK(lock.locked(start + 2h + 23h));
    CHECK_FALSE(lock.locked(start + 2h + 24h));
    for (int i = 0; i < 3; ++i) lock = after_pin_attempt(lock, false, start + 30h);
    CHECK(lock.locked(start + 24h * 3650));
    CHECK(after_pin_attempt(PinLock{2, 1, start}, true, start).lock_stage == 0);
}

TEST_CASE("a PIN hash verifies only the same PIN under the same pepper") {
    // Goal: argon2id over a peppered PIN. Method: hash, verify right, wrong, other pepper.
    const PinHasher hasher(pin_settings_for_tests());
    const auto hashed = hasher.hash("2580");
    REQUIRE(hashed.has_value());
    CHECK(hashed->rfind("$argon2id$", 0) == 0);
    CHECK(hasher.verify(hashed, "2580"));
    CHECK_FALSE(hasher.verify(hashed, "2581"));
    CHECK_FALSE(hasher.verify(std::nullopt, "2580"));
    PinSettings other = pin_settings_for_tests();
    other.pepper = "another pepper";
    CHECK_FALSE(PinHasher(other).verify(hashed, "2580"));
}

TEST_CASE("registering a PIN creates the user once") {
    // Goal: pin.register outcomes. Method: mismatch, weak, ok, then exists.
    Fixture fixture;
    const auto register_pin = [&](const char* pin, const char* repeat) {
        return run(fixture.bank->register_pin(phone, pin, repeat, hodi::engine::Language::en,
                                              start))
            .value();
    };
    CHECK(register_pin("2580", "2581") == PinChange::mismatch);
    CHECK(register_pin("1234", "1234") == PinChange::weak);
    fixture.register_user();
    CHECK(register_pin("1357", "1357") == PinChange::exists);
    const PinCheck check = fixture.check("2580", start);
    CHECK(check.outcome == PinOutcome::ok);
    REQUIRE(check.user.has_value());
    CHECK(check.user->language == hodi::engine::Language::sw);
    CHECK(fixture.check("1357", start).outcome == PinOutcome::wrong_pin);
}

TEST_CASE("a caller's greeting says whether a PIN was chosen, never what it is") {
    // Goal: the narrow read the first hop makes. Method: an unknown caller, one created by a
    // language choice (no PIN yet), one registered in Swahili.
    Fixture fixture;
    const std::string chose_language = "+254700000002";
    const auto greeting = [&](const std::string& caller) {
        return fixture.store
            ->read_now<std::optional<Greeting>>(
                [&caller](Connection& db) { return find_greeting(db, caller); })
            .value();
    };
    CHECK_FALSE(greeting(phone).has_value());
    REQUIRE(fixture.store
                ->write_now<User>([&](Connection& db) {
                    return ensure_user(db, chose_language, hodi::engine::Language::en, start);
                })
                .has_value());
    REQUIRE(greeting(chose_language).has_value());
    CHECK_FALSE(greeting(chose_language)->registered);
    CHECK(greeting(chose_language)->language == hodi::engine::Language::en);
    fixture.register_user();  // in Swahili
    REQUIRE(greeting(phone).has_value());
    CHECK(greeting(phone)->registered);
    CHECK(greeting(phone)->language == hodi::engine::Language::sw);
    CHECK(greeting(phone)->name.empty());
}

TEST_CASE("lock counters survive a restart and only an operator lifts the last lock") {
    // Goal: lockouts are durable and escalate. Method: miss nine times across two expiries,
    // reopening the store in between, then unlock as `hodi admin unlock` does.
    Fixture fixture;
    fixture.register_user();
    CHECK(fixture.check("1111", start).tries_left == 2);
    CHECK(fixture.check("1111", start).tries_left == 1);
    fixture.reopen();
    CHECK(fixture.check("1111", start).outcome == PinOutcome::locked);
    CHECK(fixture.check("2580", start + 59min).outcome == PinOutcome::locked);
    const Seconds later = start + 61min;
    for (int i = 0; i < 3; ++i) fixture.check("1111", later);
    fixture.reopen();
    CHECK(fixture.check("2580", later + 23h).outcome == PinOutcome::locked);
    const Seconds much_later = later + 25h;
    for (int i = 0; i < 3; ++i) fixture.check("1111", much_later);
    CHECK(fixture.check("2580", much_later + 24h * 365).outcome == PinOutcome::locked);
    REQUIRE(fixture.store
                ->write_now<int>([](Connection& db) -> boost::system::result<int> {
                    if (auto unlocked = unlock_user(db, phone); !unlocked) {
                        return unlocked.error();
                    }
                    return 1;
                })
                .has_value());
    CHECK(fixture.check("2580", much_later).outcome == PinOutcome::ok);
}

TEST_CASE("right, wrong and unknown-user PIN checks do the same work") {
    // Goal: timing cannot tell a right PIN from a wrong one. Method: count argon2 runs and
    // counter writes per path; each checks once and (for a known user) writes once.
    Fixture fixture;
    fixture.register_user();
    const auto verifications = [&] { return fixture.bank->hasher().verifications(); };
    const auto writes = [&] { return fixture.bank->pin_attempt_writes(); };
    auto v0 = verifications();
    auto w0 = writes();
    CHECK(fixture.check("2580", start).outcome == PinOutcome::ok);
    CHECK(verifications() - v0 == 1);
    CHECK(writes() - w0 == 1);
    v0 = verifications();
    w0 = writes();
    CHECK(fixture.check("1357", start).outcome == PinOutcome::wrong_pin);
    CHECK(verifications() - v0 == 1);
    CHECK(writes() - w0 == 1);
    v0 = verifications();
    CHECK(run(fixture.bank->check_pin("+254700000000", "2580", start)).value().outcome ==
          PinOutcome::unregistered);
    CHECK(verifications() - v0 == 1);
}

TEST_CASE("work a PIN guards runs only for a right PIN, in the commit that records it") {
    // Goal: check_pin's unlocked work never runs for a wrong PIN or a locked user, commits
    // with the attempt as one write job, and when it fails is undone without undoing the
    // attempt. Method: the work switches the user to English (registered in Swahili) and
    // counts its runs; the failing kind switches and then answers an error.
    Fixture fixture;
    fixture.register_user();
    auto runs = std::make_shared<int>(0);
    const auto to_english = [runs](bool fail) -> Bank::Unlocked {
        return [runs, fail](Connection& db, const User& user) -> boost::system::result<void> {
            ++*runs;
            if (auto set = set_language(db, user.id, hodi::engine::Language::en); !set) {
                return set.error();
            }
            if (fail) return make_error_code(BankError::store_failed);
            return {};
        };
    };
    const auto guarded = [&](const std::string& pin, Seconds now, bool fail) {
        return run(fixture.bank->check_pin(phone, pin, now, to_english(fail))).value();
    };
    const auto language = [&] {
        return run(fixture.bank->check_pin(phone, "2580", start)).value().user->language;
    };

    CHECK(guarded("1357", start, false).tries_left == 2);
    CHECK(*runs == 0);
    CHECK(guarded("1357", start, false).tries_left == 1);
    // A right PIN whose work fails: the work is undone, the attempt (clearing both misses)
    // stands, so the next miss leaves two tries again.
    CHECK(guarded("2580", start, true).outcome == PinOutcome::ok);
    CHECK(*runs == 1);
    CHECK(language() == hodi::engine::Language::sw);
    CHECK(fixture.check("1357", start).tries_left == 2);

    const auto jobs_before = fixture.store->writer_stats().jobs;
    CHECK(guarded("2580", start, false).outcome == PinOutcome::ok);
    CHECK(*runs == 2);
    CHECK(fixture.store->writer_stats().jobs - jobs_before == 1);
    CHECK(language() == hodi::engine::Language::en);

    for (int i = 0; i < 3; ++i) fixture.check("1357", start);
    CHECK(guarded("2580", start, false).outcome == PinOutcome::locked);
    CHECK(*runs == 2);
}

TEST_CASE("changing a PIN needs the old one and a strong, repeated new one") {
    // Goal: pin.change outcomes. Method: mismatch, weak, wrong old PIN, then success.
    Fixture fixture;
    fixture.register_user();
    auto& bank = *fixture.bank;
    CHECK(run(bank.change_pin(phone, "2580", "1357", "1358", start))->change ==
          PinChange::mismatch);
    CHECK(run(bank.change_pin(phone, "2580", "0000", "0000", start))->change == PinChange::weak);
    CHECK(run(bank.change_pin(phone, "9999", "1357", "1357", start))->check.outcome ==
          PinOutcome::wrong_pin);
    const auto changed = run(bank.change_pin(phone, "2580", "1357", "1357", start));
    REQUIRE(changed.has_value());
    CHECK(changed->change == PinChange::ok);
    CHECK(fixture.check("1357", start).outcome == PinOutcome::ok);
    CHECK(fixture.check("2580", start).outcome == PinOutcome::wrong_pin);
}

TEST_CASE("a PIN check whose deadline passed does nothing, and says so") {
    // Goal: when the hop's subscriber has stopped waiting, neither argon2 nor the write runs:
    // no attempt is counted and no guarded work happens behind an "unavailable" END. Method: a
    // wrong PIN with a deadline already past, then the same with time left.
    Fixture f;
    f.register_user();
    bool unlocked_ran = false;
    const Bank::Unlocked work = [&unlocked_ran](Connection&, const User&) {
        unlocked_ran = true;
        return boost::system::result<void>{};
    };
    const auto past = std::chrono::steady_clock::now() - 1ms;
    const auto late = run(f.bank->check_pin(phone, "2580", start, work, past));
    REQUIRE_FALSE(late.has_value());
    CHECK(late.error() == make_error_code(BankError::deadline_passed));
    CHECK_FALSE(unlocked_ran);
    const auto verifications = f.bank->hasher().verifications();
    CHECK(run(f.bank->check_pin(phone, "1357", start, {}, past)).error() ==
          make_error_code(BankError::deadline_passed));
    CHECK(f.bank->hasher().verifications() == verifications);  // argon2 never started
    CHECK(f.check("1357", start).tries_left == 2);  // the late wrong PIN was not counted
    CHECK(run(f.bank->check_pin(phone, "2580", start, work,
                                std::chrono::steady_clock::now() + 10s))
              ->outcome == PinOutcome::ok);
    CHECK(unlocked_ran);
}

TEST_CASE("one PIN operation runs per phone at a time; other phones are not held up") {
    // Goal: one subscriber flooding PIN dialogs holds one argon2 slot, not the pool. Method:
    // start two checks for one phone and one for another on one io_context before any
    // completes; the second for the same phone is refused at once.
    Fixture f;
    f.register_user();
    REQUIRE(run(f.bank->register_pin("+254700000009", "1357", "1357", hodi::engine::Language::en,
                                     start))
                .value() == PinChange::ok);
    net::io_context io;
    auto first = net::co_spawn(io, f.bank->check_pin(phone, "2580", start), net::use_future);
    auto second = net::co_spawn(io, f.bank->check_pin(phone, "2580", start), net::use_future);
    auto other = net::co_spawn(io, f.bank->check_pin("+254700000009", "1357", start),
                               net::use_future);
    io.run();
    CHECK(first.get()->outcome == PinOutcome::ok);
    CHECK(second.get().error() == make_error_code(BankError::pin_in_progress));
    CHECK(other.get()->outcome == PinOutcome::ok);
    CHECK(f.check("2580", start).outcome == PinOutcome::ok);  // free again once done
}
