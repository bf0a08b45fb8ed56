// The action tests' fixture: a bank on a temporary SQLite file that a test drives through
// BankActions hop by hop, as a menu would, on a clock the test moves.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>

#include "storage/bank/actions/bank_actions.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::test {

struct Teller {
    explicit Teller(storage::Seconds start, storage::LoanSettings loans = {},
                    int prompts_per_phone_per_hour = storage::mpesa_prompts_per_phone_per_hour)
        : now(start),
          actions(bank, [this] { return now; }, std::move(loans), sealer,
                  prompts_per_phone_per_hour) {}

    TempDir dir;
    std::unique_ptr<storage::Store> store =
        storage::Store::open(storage::StoreSettings{dir.path() / "hodi.db"}).value();
    storage::Bank bank{*store, storage::pin_settings_for_tests()};
    storage::Seconds now;
    std::shared_ptr<const storage::SessionSealer> sealer =
        std::make_shared<const storage::SessionSealer>(storage::SessionSealer::random());
    storage::BankActions actions;
    std::string phone = "+254712345678";
    int hop = 0;

    // Runs one action in the next hop, or again in this one (as a repeat from AT would).
    engine::ActionResult act(std::string name, engine::Variables args = {}, bool same_hop = false) {
        if (!same_hop) ++hop;
        storage::ActionContext context{phone, "session", engine::Language::en,
                                       "session:" + std::to_string(hop)};
        boost::asio::io_context io;
        auto future = boost::asio::co_spawn(
            io, actions.run({std::move(name), std::move(args)}, std::move(context)),
            boost::asio::use_future);
        io.run();
        return future.get();
    }

    // The session's proof of a verified PIN, as pin.verify gives it.
    std::string proof() const { return sealer->pin_verified_proof("session", phone); }
    // A private read (goals, loan limit and status, score) by a session that proved the PIN.
    engine::ActionResult read(std::string name) {
        return act(std::move(name), {{"verified", proof()}});
    }

    // One value read from the bank by raw SQL.
    std::int64_t count(const std::string& sql) {
        return store
            ->read_now<std::int64_t>([sql](storage::Connection& db) {
                return boost::system::result<std::int64_t>(db.execAndGet(sql).getInt64());
            })
            .value();
    }
    std::string text(const std::string& sql) {
        return store
            ->read_now<std::string>([sql](storage::Connection& db) {
                return boost::system::result<std::string>(db.execAndGet(sql).getString());
            })
            .value();
    }
};

}  // namespace hodi::test
