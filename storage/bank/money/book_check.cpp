// The book audit: each invariant is one SQL query whose rows are violations.
#include "storage/bank/money/book_check.hpp"

#include <string>

namespace hodi::storage {

namespace {

// Runs a query whose rows each describe one violation in its first column.
void collect(Connection& db, const char* sql, std::vector<std::string>& violations) {
    Prepared query(db, sql);
    while (query.executeStep()) violations.push_back(query.getColumn(0).getString());
}

std::int64_t count(Connection& db, const char* sql) { return db.execAndGet(sql).getInt64(); }

}  // namespace

BookSummary verify_book(Connection& db) {
    BookSummary summary;
    summary.accounts = count(db, "SELECT count(*) FROM accounts");
    summary.transfers = count(db, "SELECT count(*) FROM transfers");
    summary.entries = count(db, "SELECT count(*) FROM entries");
    summary.pending = count(db, "SELECT count(*) FROM transfers WHERE state = 'pending'");
    auto& violations = summary.violations;
    collect(db,
            "SELECT 'account ' || a.code || ': stored balance ' || a.balance || "
            "' but entries sum to ' || coalesce(sum(e.amount), 0) "
            "FROM accounts a LEFT JOIN entries e ON e.account = a.id "
            "GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)",
            violations);
    collect(db,
            "SELECT 'balances sum to ' || total || ', not 0' FROM "
            "(SELECT coalesce(sum(balance), 0) AS total FROM accounts) WHERE total <> 0",
            violations);
    collect(db,
            "SELECT 'transfer ' || t.id || ' (' || t.state || '): ' || count(e.id) || "
            "' entries summing to ' || coalesce(sum(e.amount), 0) FROM transfers t "
            "LEFT JOIN entries e ON e.transfer = t.seq GROUP BY t.seq HAVING "
            "(t.state = 'posted' AND (count(e.id) <> 2 OR sum(e.amount) <> 0 OR "
            " sum(CASE WHEN e.account = t.credit_account AND e.amount = t.amount THEN 1 END) "
            "   IS NOT 1 OR "
            " sum(CASE WHEN e.account = t.debit_account AND e.amount = -t.amount THEN 1 END) "
            "   IS NOT 1)) OR (t.state <> 'posted' AND count(e.id) <> 0)",
            violations);
    collect(db,
            "SELECT 'account ' || code || ': available ' || (balance - pending_debits) || "
            "' below its floor ' || floor FROM accounts "
            "WHERE floor IS NOT NULL AND balance - pending_debits < floor",
            violations);
    collect(db,
            "SELECT 'account ' || a.code || ': pending_debits ' || a.pending_debits || "
            "' but pending transfers reserve ' || coalesce(sum(t.amount), 0) "
            "FROM accounts a LEFT JOIN transfers t "
            "ON t.debit_account = a.id AND t.state = 'pending' "
            "GROUP BY a.id HAVING a.pending_debits <> coalesce(sum(t.amount), 0)",
            violations);
    return summary;
}

}  // namespace hodi::storage
