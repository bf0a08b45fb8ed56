// Opening the store, and the reader connection pool.
#include "storage/bank/store.hpp"

#include <spdlog/spdlog.h>

#include "storage/bank/schema.hpp"

namespace hodi::storage {

boost::system::result<std::unique_ptr<Store>> Store::open(StoreSettings settings) {
    auto connection = open_connection(settings.path);
    if (!connection) return connection.error();
    if (auto migrated = migrate(**connection); !migrated) return migrated.error();
    return std::unique_ptr<Store>(new Store(std::move(settings), std::move(*connection)));
}

Store::Store(StoreSettings settings, std::unique_ptr<SQLite::Database> write_connection)
    : settings_(std::move(settings)),
      writer_(std::make_unique<Writer>(std::move(write_connection))),
      read_pool_(settings_.readers == 0 ? 1 : settings_.readers) {}

Store::~Store() {
    read_pool_.join();
    writer_.reset();
}

bool Store::run_read(const std::function<void(SQLite::Database&)>& fn) {
    std::unique_ptr<SQLite::Database> db;
    {
        const std::lock_guard lock(readers_mutex_);
        if (!idle_readers_.empty()) {
            db = std::move(idle_readers_.back());
            idle_readers_.pop_back();
        }
    }
    if (!db) {
        auto opened = open_connection(settings_.path);
        if (!opened) return false;
        db = std::move(*opened);
    }
    bool ok = false;
    try {
        // One read transaction: every query of fn sees the same snapshot.
        db->exec("BEGIN");
        fn(*db);
        db->exec("COMMIT");
        ok = true;
    } catch (const std::exception& error) {
        spdlog::error("bank: read failed: {}", error.what());
        try {
            db->exec("ROLLBACK");
        } catch (const std::exception&) {
            // Not in a transaction (BEGIN failed): nothing to undo.
        }
    }
    const std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(db));
    return ok;
}

}  // namespace hodi::storage
