// The outbox tests' fixture: a user whose top-up of 500 shillings waits on an STK push.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "storage/bank/money/audit.hpp"
#include "storage/bank/money/book_check.hpp"
#include "storage/bank/money/outbox.hpp"
#include "storage/bank/money/users.hpp"
#include "storage/bank/sql/schema.hpp"

namespace hodi::test {

using namespace hodi::storage;

inline const Seconds start{std::chrono::seconds{1'800'000'000}};
inline const std::string phone = "+254712345678";

// A user whose top-up of 500 shillings waits on an STK push.
struct Topup {
    std::unique_ptr<Connection> db = open_connection(":memory:").value();
    AccountId wallet = 0;
    std::int64_t row = 0;

    Topup() {
        REQUIRE(migrate(*db).has_value());
        ensure_user(*db, phone, hodi::engine::Language::en, start).value();
        wallet = find_account(*db, wallet_code(phone)).value();
        const AccountId clearing = find_account(*db, SystemAccount::mpesa_clearing).value();
        REQUIRE(create_transfer(*db, {"topup:1", clearing, wallet, 50'000, "topup", true}, start)
                    .has_value());
        row = enqueue_outbox(*db, stk("topup:1"), start).value();
    }
    static OutboxRequest stk(std::string transfer) {
        return {OutboxKind::stk_push, std::move(transfer), phone, 50'000, "hodi topup"};
    }
    Cents balance() { return load_account(*db, wallet).value().balance; }
    TransferState state() { return find_transfer(*db, "topup:1").value()->state; }
    OutboxRow outbox() { return find_outbox(*db, row).value().value(); }
    std::int64_t audit_events() { return db->execAndGet("SELECT count(*) FROM audit").getInt64(); }
    void check_books() {
        CHECK(verify_book(*db).violations.empty());
        CHECK_FALSE(verify_audit(*db).value().broken.has_value());
    }
};

}  // namespace hodi::test
