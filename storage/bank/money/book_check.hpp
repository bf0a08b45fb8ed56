// verify_book(): recomputes the ledger from its entries and lists every broken invariant.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <vector>

#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

struct BookSummary {
    std::int64_t accounts = 0;
    std::int64_t transfers = 0;
    std::int64_t entries = 0;
    std::int64_t pending = 0;
    std::vector<std::string> violations;  ///< one sentence each; empty when the book is sound
};

// Checks, in one read snapshot: each stored balance equals the sum of the account's entries;
// all balances sum to zero; each posted transfer has exactly two entries that sum to zero and
// match its amount, and pending or voided transfers have none; no account's available amount
// (balance minus pending debits) is below its floor; each account's pending_debits equals the
// sum of its pending transfers. SQLite failures throw (Store turns them into store_failed).
BookSummary verify_book(Connection& db);

}  // namespace hodi::storage
