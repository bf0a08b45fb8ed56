// The statement cache: borrow, reset, return.
#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

void Connection::exec_prepared(std::string_view sql) { Prepared(*this, sql).exec(); }

Prepared::Prepared(Connection& db, std::string_view sql) {
    auto found = db.statements_.find(sql);
    if (found == db.statements_.end()) {
        found = db.statements_.emplace(std::string(sql), Connection::CachedStatement{}).first;
    }
    Connection::CachedStatement& cached = found->second;
    if (cached.borrowed) {
        private_ = std::make_unique<SQLite::Statement>(db, std::string(sql));
        statement_ = private_.get();
        return;
    }
    if (!cached.statement) cached.statement = std::make_unique<SQLite::Statement>(db, found->first);
    cached.borrowed = true;
    cached_ = &cached;
    statement_ = cached.statement.get();
}

Prepared::~Prepared() {
    if (cached_ == nullptr) return;
    // tryReset, not reset: after a failed step sqlite3_reset repeats that step's error, which
    // the statement's user has already seen (and reset() would throw from a destructor).
    statement_->tryReset();
    try {
        statement_->clearBindings();  // sqlite3_clear_bindings cannot fail; this never throws
    } catch (const SQLite::Exception&) {
        cached_->statement.reset();  // unusable: prepare it afresh next time
    }
    cached_->borrowed = false;
}

}  // namespace hodi::storage
