// Connection setup and the migrations. A migration is appended, never edited: databases in the
// field have run the old text.
#include "storage/bank/sql/schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <string>
#include <system_error>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/sql/private_files.hpp"

namespace hodi::storage {

namespace {

// Version 1: users, accounts, transfers, entries; the system accounts.
//
// Sign convention: an account's balance is the sum of its entries, credits positive and debits
// negative, so the balances of the whole book always sum to zero. A user's wallet or savings
// goal is positive when hodi owes the user. mpesa_clearing goes negative as money arrives through
// M-Pesa (it is the paybill's cash, owed to the users). A user's loan account goes negative by
// what the user owes. Income accounts go positive. `floor` is the lowest balance the available
// amount (balance minus pending debits) may reach; NULL means no floor.
constexpr const char* migration_1 = R"sql(
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    phone         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'sw')),
    pin_hash      TEXT,
    failed_pins   INTEGER NOT NULL DEFAULT 0,
    lock_stage    INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    user_id        INTEGER REFERENCES users (id),
    floor          INTEGER,
    balance        INTEGER NOT NULL DEFAULT 0,
    pending_debits INTEGER NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
    created_at     INTEGER NOT NULL
);
CREATE INDEX accounts_by_user ON accounts (user_id);
CREATE TABLE transfers (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    debit_account  INTEGER NOT NULL REFERENCES accounts (id),
    credit_account INTEGER NOT NULL REFERENCES accounts (id),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    kind           TEXT    NOT NULL,
    two_phase      INTEGER NOT NULL CHECK (two_phase IN (0, 1)),
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER
);
CREATE INDEX transfers_pending ON transfers (debit_account) WHERE state = 'pending';
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    transfer    INTEGER NOT NULL REFERENCES transfers (seq),
    account     INTEGER NOT NULL REFERENCES accounts (id),
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    created_at  INTEGER NOT NULL
);
CREATE INDEX entries_by_account ON entries (account, id);
CREATE INDEX entries_by_transfer ON entries (transfer);
INSERT INTO accounts (code, kind, floor, created_at) VALUES
    ('system:mpesa_clearing',  'mpesa_clearing',  NULL, 0),
    ('system:loan_book',       'loan_book',       NULL, 0),
    ('system:interest_income', 'interest_income', 0,    0),
    ('system:fee_income',      'fee_income',      0,    0),
    ('system:penalty_income',  'penalty_income',  0,    0);
)sql";

// Version 2: savings goals. Each goal owns a ledger account (floor 0); the goal row carries
// what the ledger does not: a name, a target and a due date.
constexpr const char* migration_2 = R"sql(
CREATE TABLE savings_goals (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    number      INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    target      INTEGER NOT NULL CHECK (target > 0),
    due_at      INTEGER NOT NULL,
    account     INTEGER NOT NULL UNIQUE REFERENCES accounts (id),
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, number),
    UNIQUE (user_id, name)
);
)sql";

// Version 3: the outbox and the audit log.
//
// An outbox row is an external effect (an M-Pesa STK push or B2C payout, an SMS) written in the
// same transaction as the change that caused it, so a crash can lose neither. `transfer` names
// the pending ledger transfer the effect settles, if any; `(kind, transfer)` is unique, so a
// replayed money step queues its effect once. `state`: pending (not yet handed over), sent
// (handed over, waiting for the provider's callback), done, failed.
//
// The audit log is append-only, enforced by triggers, and hash-chained: each row's `hash` is
// SHA-256 over the previous row's hash and this row's fields, so editing or deleting a row
// (with the triggers dropped) breaks every hash after it.
constexpr const char* migration_3 = R"sql(
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('stk_push', 'b2c', 'sms')),
    transfer         TEXT,
    phone            TEXT    NOT NULL,
    amount           INTEGER CHECK (amount IS NULL OR amount > 0),
    payload          TEXT    NOT NULL DEFAULT '',
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    provider_ref     TEXT,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (kind, transfer)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'sent');
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

// Version 4: loans and credit scores. A loan owns nothing in the ledger beyond the user's loan
// account; this row carries its terms, its state and its due date. The ledger legs are
// described in storage/bank/money/loans.hpp. What a loan still owes is principal + interest + fee +
// penalty - repaid. `state`: disbursing (the B2C payout is pending), open, repaid, failed (the
// payout failed; nothing is owed). Overdue is not a state but open past due_at; `overdue_at`
// records when that was first seen, which is when the one penalty was charged.
// `penalty_rate` (basis points of what is owed) and `term_days` are the product's terms at
// the time of the application, so a later config change does not rewrite a running loan.
// A credit_scores row is the latest recomputation, one per user, with its four components.
constexpr const char* migration_4 = R"sql(
CREATE TABLE loans (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    product       TEXT    NOT NULL,
    purpose       TEXT    NOT NULL
                  CHECK (purpose IN ('emergency', 'business', 'education', 'personal')),
    principal     INTEGER NOT NULL CHECK (principal > 0),
    interest      INTEGER NOT NULL CHECK (interest >= 0),
    fee           INTEGER NOT NULL CHECK (fee >= 0),
    penalty       INTEGER NOT NULL DEFAULT 0 CHECK (penalty >= 0),
    penalty_rate  INTEGER NOT NULL CHECK (penalty_rate >= 0),
    term_days     INTEGER NOT NULL CHECK (term_days > 0),
    repaid        INTEGER NOT NULL DEFAULT 0 CHECK (repaid >= 0),
    state         TEXT    NOT NULL
                  CHECK (state IN ('disbursing', 'open', 'repaid', 'failed')),
    disbursement  TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    overdue_at    INTEGER,
    closed_at     INTEGER
);
CREATE INDEX loans_by_user ON loans (user_id, id);
CREATE TABLE credit_scores (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    savings     INTEGER NOT NULL,
    repayment   INTEGER NOT NULL,
    activity    INTEGER NOT NULL,
    tenure      INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
)sql";

// Version 5: check values of the secrets hodi keeps outside the database (the PIN pepper), so
// that a wrong or replaced secret is caught at startup instead of by subscribers whose right
// PINs start reading as wrong. A check value is a keyed hash of a fixed text, never the secret.
constexpr const char* migration_5 = R"sql(
CREATE TABLE secret_checks (
    name        TEXT    PRIMARY KEY,
    check_value TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
);
)sql";

// Version 6: audit events say whether their hash is keyed (HMAC with a key kept outside the
// database). Events written before stay plain SHA-256 and verify as such; none may follow a
// keyed one.
constexpr const char* migration_6 = R"sql(
ALTER TABLE audit ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));
)sql";

// Version 7: what M-Pesa said, and what needs a person. Each Daraja callback is kept raw the
// moment it arrives, before it is acknowledged, then applied: `fate` is unapplied until then,
// so one a crash interrupted is applied after restart. A payment hodi cannot settle on its own
// (an amount that differs from the request, a success after a failure, a callback no request
// matches) becomes a review, open until an operator settles it. Outbox rows are found by the
// provider's reference (CheckoutRequestID, ConversationID) when callbacks arrive, and count
// the passes that claimed them, so a call whose outcome a crash lost is known as such.
constexpr const char* migration_7 = R"sql(
CREATE TABLE mpesa_callbacks (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    fate        TEXT    NOT NULL DEFAULT 'unapplied',
    note        TEXT    NOT NULL DEFAULT '',
    applied_at  INTEGER
);
CREATE INDEX mpesa_callbacks_unapplied ON mpesa_callbacks (received_at) WHERE fate = 'unapplied';
CREATE INDEX mpesa_callbacks_key ON mpesa_callbacks (source, key);
CREATE TABLE payment_reviews (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER REFERENCES outbox (id),
    callback_id INTEGER REFERENCES mpesa_callbacks (id),
    reason      TEXT    NOT NULL,
    opened_at   INTEGER NOT NULL,
    settled_at  INTEGER,
    settled_by  TEXT    NOT NULL DEFAULT '',
    resolution  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX payment_reviews_open ON payment_reviews (opened_at) WHERE settled_at IS NULL;
CREATE INDEX outbox_provider_ref ON outbox (kind, provider_ref) WHERE provider_ref IS NOT NULL;
ALTER TABLE outbox ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::array<const char*, 7> migrations = {migration_1, migration_2, migration_3,
                                                   migration_4, migration_5, migration_6,
                                                   migration_7};

int user_version(Connection& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

// By default SQLite keeps process-wide memory statistics, taking one global mutex on every
// allocation any connection makes: the readers on the network threads would all queue on it, and
// hodi reads none of those statistics. Must run before SQLite initialises; if something opened a
// database first, sqlite3_config refuses (SQLITE_MISUSE) and nothing changes but speed.
void configure_sqlite_once() {
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)configured;
}

// The database's folders and files, owner-only before SQLite first touches them.
void make_private(const std::filesystem::path& path) {
    if (path.has_parent_path()) {
        if (const auto ec = create_private_folders(path.parent_path())) {
            throw std::system_error(ec, "cannot create " + path.parent_path().string());
        }
    }
    if (const auto ec = make_database_private(path)) {
        throw std::system_error(ec, "cannot make " + path.string() + " owner-only");
    }
}

}  // namespace

int schema_version_known() { return static_cast<int>(migrations.size()); }

boost::system::result<std::unique_ptr<Connection>> open_connection(
    const std::filesystem::path& path, std::size_t page_cache_bytes) {
    try {
        configure_sqlite_once();
        if (path != ":memory:") make_private(path);
        // NOMUTEX: the store hands each connection to one thread at a time (see Connection), so
        // the per-connection mutex SQLite would take on every call guards nothing.
        auto db = std::make_unique<Connection>(
            path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
            static_cast<int>(sqlite_busy_timeout.count()));
        db->exec("PRAGMA journal_mode = WAL");
        db->exec("PRAGMA synchronous = FULL");
        db->exec("PRAGMA foreign_keys = ON");
        // Negative: a size in KiB rather than a count of pages.
        const std::size_t cache_kib = std::max<std::size_t>(page_cache_bytes / 1024, 1);
        db->exec("PRAGMA cache_size = -" + std::to_string(cache_kib));
        return db;
    } catch (const std::exception& error) {
        spdlog::error("bank: cannot open {}: {}", path.string(), error.what());
        return make_error_code(BankError::store_failed);
    }
}

boost::system::result<void> migrate(Connection& db) {
    try {
        const int found = user_version(db);
        if (found > schema_version_known()) {
            spdlog::error("bank: {} has schema version {}, this hodi knows up to {}",
                          db.getFilename(), found, schema_version_known());
            return make_error_code(BankError::schema_too_new);
        }
        for (int version = found; version < schema_version_known(); ++version) {
            // IMMEDIATE: two processes opening a fresh file must not both migrate it.
            SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
            if (user_version(db) != version) continue;  // another process got there first
            db.exec(migrations[static_cast<std::size_t>(version)]);
            db.exec("PRAGMA user_version = " + std::to_string(version + 1));
            transaction.commit();
        }
        return {};
    } catch (const std::exception& error) {
        spdlog::error("bank: migration failed: {}", error.what());
        return make_error_code(BankError::store_failed);
    }
}

}  // namespace hodi::storage
