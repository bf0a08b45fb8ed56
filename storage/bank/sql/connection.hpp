// A SQLite connection that keeps its prepared statements, and the handle that borrows one.
//
// Preparing a statement (parsing and planning its SQL) costs several times more than running a
// point query: 18 us against 5 us for the user lookup on the machine this was measured on. The
// store runs the same few dozen statements all day, so every connection prepares each SQL text
// once and reuses it.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace hodi::storage {

// The credit-score rules a connection's queries apply (storage/bank/money/credit_score.hpp says
// what each means): set by the Store on every connection it opens, from StoreSettings.
struct ScoreRules {
    // A loan repaid sooner than this many days after it was taken earns no repayment points.
    int repaid_days_min = 7;
};

// Used by one thread at a time, like any SQLite::Database: the store hands a connection to one
// job at a time. The cache holds one statement per distinct SQL text, so SQL must never embed
// values (bind them), or the cache grows with every value seen.
class Connection : public SQLite::Database {
public:
    using SQLite::Database::Database;

    // Runs one statement that returns no rows (BEGIN, COMMIT, SAVEPOINT ...) through the cache.
    // Unlike SQLite::Database::exec, which prepares its text anew on every call and accepts
    // several statements, this takes exactly one.
    void exec_prepared(std::string_view sql);

    // Statements prepared so far; for tests and for spotting SQL built from values.
    std::size_t cached_statements() const { return statements_.size(); }

    // What the audit chain written through this connection is keyed with (empty: not keyed,
    // plain SHA-256), and the file outside the database that keeps its head (empty: none).
    // Set on the writer's connection by the Bank; see storage/bank/money/audit.hpp.
    std::string audit_key;
    std::filesystem::path audit_head_file;
    // The newest event appended in the open transaction, written to audit_head_file once the
    // transaction commits (the Writer does it), forgotten if it rolls back.
    struct AuditHead {
        std::int64_t seq = 0;
        std::string hash;
    };
    std::optional<AuditHead> pending_audit_head;
    ScoreRules score_rules;

private:
    friend class Prepared;
    struct CachedStatement {
        std::unique_ptr<SQLite::Statement> statement;
        bool borrowed = false;
    };
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept {
            return std::hash<std::string_view>{}(sql);
        }
    };
    // A member, so destroyed (its statements finalized) before the base closes the connection.
    std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> statements_;
};

// A statement borrowed from its connection's cache for one use: reset and unbound on return,
// so the next borrower starts clean. When the same SQL is already borrowed (a helper that calls
// itself while iterating), this one is prepared privately and dropped after use.
//
// It forwards SQLite::Statement's own names (bind, executeStep, exec, reset, getColumn) so that the
// SQL helpers read exactly as they would with a plain statement.
class Prepared {
public:
    Prepared(Connection& db, std::string_view sql);
    ~Prepared();
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;

    template <class... Args>
    void bind(Args&&... args) {
        statement_->bind(std::forward<Args>(args)...);
    }
    bool executeStep() { return statement_->executeStep(); }
    int exec() { return statement_->exec(); }
    void reset() { statement_->reset(); }
    SQLite::Column getColumn(int index) { return statement_->getColumn(index); }

private:
    Connection::CachedStatement* cached_ = nullptr;
    std::unique_ptr<SQLite::Statement> private_;
    SQLite::Statement* statement_ = nullptr;
};

// Runs `step`, which answers a boost::system::result, inside SAVEPOINT `name` of the open
// transaction. When it answers an error or throws, what it wrote is undone and the transaction
// carries on without it; an exception is passed on.
template <class Step>
auto in_savepoint(Connection& db, std::string_view name, Step&& step) -> decltype(step()) {
    const std::string savepoint(name);
    db.exec_prepared("SAVEPOINT " + savepoint);
    try {
        auto outcome = step();
        if (!outcome) db.exec_prepared("ROLLBACK TO " + savepoint);
        db.exec_prepared("RELEASE " + savepoint);
        return outcome;
    } catch (...) {
        db.exec_prepared("ROLLBACK TO " + savepoint);
        db.exec_prepared("RELEASE " + savepoint);
        throw;
    }
}

}  // namespace hodi::storage
