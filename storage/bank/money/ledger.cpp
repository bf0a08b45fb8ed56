// Accounts and transfers in SQL. Stored balances change in the same statement batch as the
// entries that justify them; verify_book() recomputes one from the other.
#include "storage/bank/money/ledger.hpp"

#include "engine/assert.hpp"
#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

constexpr const char* transfer_columns =
    "SELECT seq, id, debit_account, credit_account, amount, kind, two_phase, state, created_at "
    "FROM transfers ";

// A state this binary never wrote (a newer hodi, a hand edit) is corruption, never a default:
// reading a garbled pending transfer as posted would settle money nobody confirmed.
std::optional<TransferState> parse_state(const std::string& text) {
    if (text == "pending") return TransferState::pending;
    if (text == "posted") return TransferState::posted;
    if (text == "voided") return TransferState::voided;
    return std::nullopt;
}

boost::system::result<Transfer> read_transfer(Prepared& query) {
    const auto state = parse_state(query.getColumn(7).getString());
    if (!state) return make_error_code(BankError::corrupt);
    Transfer transfer;
    transfer.seq = query.getColumn(0).getInt64();
    transfer.id = query.getColumn(1).getString();
    transfer.debit = query.getColumn(2).getInt64();
    transfer.credit = query.getColumn(3).getInt64();
    transfer.amount = query.getColumn(4).getInt64();
    transfer.kind = query.getColumn(5).getString();
    transfer.two_phase = query.getColumn(6).getInt() != 0;
    transfer.state = *state;
    transfer.created_at = Seconds{std::chrono::seconds{query.getColumn(8).getInt64()}};
    return transfer;
}

bool same_content(const Transfer& stored, const TransferRequest& request) {
    return stored.debit == request.debit && stored.credit == request.credit &&
           stored.amount == request.amount && stored.kind == request.kind &&
           stored.two_phase == request.two_phase;
}

// Writes the two entries of a posted transfer and moves the stored balances with them. The
// entries sum to zero by construction; the asserts keep the callers' checks honest, and hold
// in production too: a broken invariant stops the process before it commits.
void write_entries(Connection& db, const Transfer& transfer, Seconds now) {
    HODI_ASSERT(transfer.amount > 0 && transfer.amount <= transfer_cents_max);
    HODI_ASSERT(transfer.debit != transfer.credit);
    Prepared entry(db,
                   "INSERT INTO entries (transfer, account, amount, created_at) "
                   "VALUES (?, ?, ?, ?)");
    // What is left available, and the floor, come back with the update: the debited account
    // must still be at or above its floor (create_transfer checked it, with the reservation).
    Prepared balance(db,
                     "UPDATE accounts SET balance = balance + ? WHERE id = ? "
                     "RETURNING balance - pending_debits, floor");
    const std::int64_t at = unix_seconds(now);
    const std::pair<AccountId, Cents> legs[] = {{transfer.debit, -transfer.amount},
                                                {transfer.credit, transfer.amount}};
    for (const auto& [account, amount] : legs) {
        entry.bind(1, transfer.seq);
        entry.bind(2, account);
        entry.bind(3, amount);
        entry.bind(4, at);
        entry.exec();
        entry.reset();
        balance.bind(1, amount);
        balance.bind(2, account);
        const bool updated = balance.executeStep();  // SQLite applies the update here
        HODI_ASSERT(updated);
        const bool floored = !balance.getColumn(1).isNull();
        HODI_ASSERT(amount > 0 || !floored ||
                    balance.getColumn(0).getInt64() >= balance.getColumn(1).getInt64());
        balance.reset();
    }
}

// Only a pending transfer is ever resolved, and only once: posted and voided are final.
void set_state(Connection& db, const Transfer& transfer, TransferState state, Seconds now) {
    HODI_ASSERT(transfer.state == TransferState::pending && state != TransferState::pending);
    const std::int64_t seq = transfer.seq;
    Prepared update(db, "UPDATE transfers SET state = ?, resolved_at = ? WHERE seq = ?");
    update.bind(1, std::string(to_string(state)));
    update.bind(2, unix_seconds(now));
    update.bind(3, seq);
    update.exec();
}

void release_reservation(Connection& db, const Transfer& transfer) {
    Prepared update(db,
                    "UPDATE accounts SET pending_debits = pending_debits - ? "
                    "WHERE id = ?");
    update.bind(1, transfer.amount);
    update.bind(2, transfer.debit);
    update.exec();
}

}  // namespace

std::string_view system_account_code(SystemAccount account) {
    switch (account) {
        case SystemAccount::mpesa_clearing: return "system:mpesa_clearing";
        case SystemAccount::loan_book: return "system:loan_book";
        case SystemAccount::interest_income: return "system:interest_income";
        case SystemAccount::fee_income: return "system:fee_income";
        case SystemAccount::penalty_income: return "system:penalty_income";
    }
    return "system:unknown";
}

std::string_view to_string(TransferState state) {
    switch (state) {
        case TransferState::pending: return "pending";
        case TransferState::posted: return "posted";
        case TransferState::voided: return "voided";
    }
    return "posted";
}

boost::system::result<AccountId> open_account(Connection& db, std::string_view code,
                                              std::string_view kind,
                                              std::optional<std::int64_t> user_id,
                                              std::optional<Cents> floor, Seconds now) {
    if (auto existing = find_account(db, code)) return existing;
    Prepared insert(db,
                    "INSERT INTO accounts (code, kind, user_id, floor, created_at) "
                    "VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, std::string(code));
    insert.bind(2, std::string(kind));
    if (user_id) insert.bind(3, *user_id);
    if (floor) insert.bind(4, *floor);
    insert.bind(5, unix_seconds(now));
    insert.exec();
    return db.getLastInsertRowid();
}

boost::system::result<AccountId> find_account(Connection& db, std::string_view code) {
    Prepared query(db, "SELECT id FROM accounts WHERE code = ?");
    query.bind(1, std::string(code));
    if (!query.executeStep()) return make_error_code(BankError::unknown_account);
    return query.getColumn(0).getInt64();
}

boost::system::result<AccountId> find_account(Connection& db, SystemAccount account) {
    return find_account(db, system_account_code(account));
}

boost::system::result<Account> load_account(Connection& db, AccountId id) {
    Prepared query(db,
                   "SELECT code, kind, user_id, floor, balance, pending_debits "
                   "FROM accounts WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return make_error_code(BankError::unknown_account);
    Account account;
    account.id = id;
    account.code = query.getColumn(0).getString();
    account.kind = query.getColumn(1).getString();
    if (!query.getColumn(2).isNull()) account.user_id = query.getColumn(2).getInt64();
    if (!query.getColumn(3).isNull()) account.floor = query.getColumn(3).getInt64();
    account.balance = query.getColumn(4).getInt64();
    account.pending_debits = query.getColumn(5).getInt64();
    return account;
}

boost::system::result<std::optional<Transfer>> find_transfer(Connection& db, std::string_view id) {
    Prepared query(db, std::string(transfer_columns) + "WHERE id = ?");
    query.bind(1, std::string(id));
    if (!query.executeStep()) return std::optional<Transfer>{};
    auto transfer = read_transfer(query);
    if (!transfer) return transfer.error();
    return std::optional<Transfer>{std::move(*transfer)};
}

boost::system::result<Transfer> create_transfer(Connection& db, const TransferRequest& request,
                                                Seconds now) {
    auto existing = find_transfer(db, request.id);
    if (!existing) return existing.error();
    if (*existing) {
        if (!same_content(**existing, request)) return make_error_code(BankError::id_conflict);
        return **existing;
    }
    if (request.amount <= 0 || request.amount > transfer_cents_max) {
        return make_error_code(BankError::invalid_amount);
    }
    if (request.debit == request.credit) return make_error_code(BankError::same_account);
    auto debit = load_account(db, request.debit);
    if (!debit) return debit.error();
    if (auto credit = load_account(db, request.credit); !credit) return credit.error();
    if (debit->floor && debit->available() - request.amount < *debit->floor) {
        return make_error_code(BankError::insufficient_funds);
    }

    Transfer transfer{0,      request.id,        request.debit,
                      request.credit, request.amount, request.kind,
                      request.two_phase, request.two_phase ? TransferState::pending
                                                           : TransferState::posted,
                      now};
    Prepared insert(db,
                    "INSERT INTO transfers (id, debit_account, credit_account, amount, "
                    "kind, two_phase, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, transfer.id);
    insert.bind(2, transfer.debit);
    insert.bind(3, transfer.credit);
    insert.bind(4, transfer.amount);
    insert.bind(5, transfer.kind);
    insert.bind(6, transfer.two_phase ? 1 : 0);
    insert.bind(7, std::string(to_string(transfer.state)));
    insert.bind(8, unix_seconds(now));
    insert.exec();
    transfer.seq = db.getLastInsertRowid();
    if (transfer.two_phase) {
        Prepared reserve(db,
                         "UPDATE accounts SET pending_debits = pending_debits + ? "
                         "WHERE id = ?");
        reserve.bind(1, transfer.amount);
        reserve.bind(2, transfer.debit);
        reserve.exec();
    } else {
        write_entries(db, transfer, now);
    }
    return transfer;
}

boost::system::result<Transfer> post_transfer(Connection& db, std::string_view id, Seconds now) {
    auto found = find_transfer(db, id);
    if (!found) return found.error();
    if (!*found) return make_error_code(BankError::unknown_transfer);
    Transfer transfer = **found;
    if (transfer.state == TransferState::posted) return transfer;
    if (transfer.state == TransferState::voided) {
        return make_error_code(BankError::already_voided);
    }
    // The amount was reserved when the transfer was created, so the floor still holds: moving
    // it from pending_debits into the balance leaves the available amount unchanged.
    release_reservation(db, transfer);
    write_entries(db, transfer, now);
    set_state(db, transfer, TransferState::posted, now);
    transfer.state = TransferState::posted;
    return transfer;
}

boost::system::result<Transfer> void_transfer(Connection& db, std::string_view id, Seconds now) {
    auto found = find_transfer(db, id);
    if (!found) return found.error();
    if (!*found) return make_error_code(BankError::unknown_transfer);
    Transfer transfer = **found;
    if (transfer.state == TransferState::voided) return transfer;
    if (transfer.state == TransferState::posted) {
        return make_error_code(BankError::already_posted);
    }
    release_reservation(db, transfer);
    set_state(db, transfer, TransferState::voided, now);
    transfer.state = TransferState::voided;
    return transfer;
}

boost::system::result<std::vector<Transfer>> recent_transfers(Connection& db, AccountId account,
                                                              std::size_t count) {
    Prepared query(db, std::string(transfer_columns) +
                           "WHERE state = 'posted' AND (debit_account = ?1 OR "
                           "credit_account = ?1) ORDER BY seq DESC LIMIT ?2");
    query.bind(1, account);
    query.bind(2, static_cast<std::int64_t>(count));
    std::vector<Transfer> transfers;
    while (query.executeStep()) {
        auto transfer = read_transfer(query);
        if (!transfer) return transfer.error();
        transfers.push_back(std::move(*transfer));
    }
    return transfers;
}

}  // namespace hodi::storage
