// M-Pesa callbacks in SQL: kept raw on arrival, their fate recorded once they are applied.
#include "storage/bank/money/mpesa_callbacks.hpp"

#include <array>
#include <utility>

#include "storage/bank/sql/bank_error.hpp"

namespace hodi::storage {

namespace {

constexpr const char* callback_columns =
    "SELECT id, source, key, body, received_at, fate, note FROM mpesa_callbacks ";

// A note is for the operator; a runaway one must not bloat the row.
constexpr std::size_t note_chars_max = 200;

constexpr std::array<std::pair<CallbackSource, std::string_view>, 7> source_names{{
    {CallbackSource::stk, "stk"},
    {CallbackSource::b2c_result, "b2c_result"},
    {CallbackSource::b2c_timeout, "b2c_timeout"},
    {CallbackSource::c2b_validation, "c2b_validation"},
    {CallbackSource::c2b_confirmation, "c2b_confirmation"},
    {CallbackSource::status_result, "status_result"},
    {CallbackSource::status_timeout, "status_timeout"},
}};

constexpr std::array<std::pair<CallbackFate, std::string_view>, 6> fate_names{{
    {CallbackFate::unapplied, "unapplied"},
    {CallbackFate::applied, "applied"},
    {CallbackFate::duplicate, "duplicate"},
    {CallbackFate::pending, "pending"},
    {CallbackFate::review, "review"},
    {CallbackFate::refused, "refused"},
}};

std::optional<CallbackFate> parse_fate(std::string_view text) {
    for (const auto& [fate, name] : fate_names) {
        if (name == text) return fate;
    }
    return std::nullopt;
}

// Stored text this binary never wrote is corruption, never a default: reading a garbled
// 'applied' as unapplied would apply a payment twice.
boost::system::result<StoredCallback> read_callback(Prepared& query) {
    const auto source = parse_callback_source(query.getColumn(1).getString());
    const auto fate = parse_fate(query.getColumn(5).getString());
    if (!source || !fate) return make_error_code(BankError::corrupt);
    StoredCallback callback;
    callback.id = query.getColumn(0).getInt64();
    callback.source = *source;
    callback.key = query.getColumn(2).getString();
    callback.body = query.getColumn(3).getString();
    callback.received_at = from_unix_seconds(query.getColumn(4).getInt64());
    callback.fate = *fate;
    callback.note = query.getColumn(6).getString();
    return callback;
}

}  // namespace

std::string_view to_string(CallbackSource source) {
    for (const auto& [each, name] : source_names) {
        if (each == source) return name;
    }
    return "stk";
}

std::optional<CallbackSource> parse_callback_source(std::string_view text) {
    for (const auto& [source, name] : source_names) {
        if (name == text) return source;
    }
    return std::nullopt;
}

std::string_view to_string(CallbackFate fate) {
    for (const auto& [each, name] : fate_names) {
        if (each == fate) return name;
    }
    return "unapplied";
}

boost::system::result<std::int64_t> store_callback(Connection& db, CallbackSource source,
                                                   std::string_view key, std::string_view body,
                                                   Seconds now) {
    Prepared insert(db,
                    "INSERT INTO mpesa_callbacks (source, key, body, received_at) "
                    "VALUES (?, ?, ?, ?)");
    insert.bind(1, std::string(to_string(source)));
    insert.bind(2, std::string(key));
    insert.bind(3, std::string(body));
    insert.bind(4, unix_seconds(now));
    insert.exec();
    return db.getLastInsertRowid();
}

boost::system::result<std::vector<StoredCallback>> unapplied_callbacks(Connection& db,
                                                                       Seconds received_by,
                                                                       std::size_t count) {
    Prepared query(db, std::string(callback_columns) +
                           "WHERE fate = 'unapplied' AND received_at <= ? "
                           "ORDER BY received_at, id LIMIT ?");
    query.bind(1, unix_seconds(received_by));
    query.bind(2, static_cast<std::int64_t>(count));
    std::vector<StoredCallback> callbacks;
    while (query.executeStep()) {
        auto callback = read_callback(query);
        if (!callback) return callback.error();
        callbacks.push_back(std::move(*callback));
    }
    return callbacks;
}

boost::system::result<std::optional<StoredCallback>> find_callback(Connection& db,
                                                                   std::int64_t id) {
    Prepared query(db, std::string(callback_columns) + "WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return std::optional<StoredCallback>{};
    auto callback = read_callback(query);
    if (!callback) return callback.error();
    return std::optional<StoredCallback>{std::move(*callback)};
}

boost::system::result<StoredCallback> record_callback_fate(Connection& db, std::int64_t id,
                                                           CallbackFate fate,
                                                           std::string_view note, Seconds now) {
    auto found = find_callback(db, id);
    if (!found) return found.error();
    if (!*found) return make_error_code(BankError::unknown_record);
    StoredCallback callback = std::move(**found);
    if (callback.fate != CallbackFate::unapplied || fate == CallbackFate::unapplied) {
        return callback;
    }
    callback.fate = fate;
    callback.note = std::string(note.substr(0, note_chars_max));
    Prepared update(db,
                    "UPDATE mpesa_callbacks SET fate = ?, note = ?, applied_at = ? WHERE id = ?");
    update.bind(1, std::string(to_string(fate)));
    update.bind(2, callback.note);
    update.bind(3, unix_seconds(now));
    update.bind(4, id);
    update.exec();
    return callback;
}

boost::system::result<UnappliedCallbacks> count_unapplied_callbacks(Connection& db) {
    Prepared query(db,
                   "SELECT count(*), min(received_at) FROM mpesa_callbacks "
                   "WHERE fate = 'unapplied'");
    query.executeStep();
    UnappliedCallbacks unapplied;
    unapplied.count = query.getColumn(0).getInt64();
    if (!query.getColumn(1).isNull()) {
        unapplied.oldest = from_unix_seconds(query.getColumn(1).getInt64());
    }
    return unapplied;
}

}  // namespace hodi::storage
