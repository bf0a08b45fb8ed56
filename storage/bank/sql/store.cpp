// Opening the store.
#include "storage/bank/sql/store.hpp"

#include <spdlog/spdlog.h>

#include "engine/assert.hpp"
#include "storage/bank/sql/schema.hpp"

namespace hodi::storage {

boost::system::result<std::unique_ptr<Store>> Store::open(StoreSettings settings) {
    // SQLite would open a private temporary database for "", a different one per connection.
    HODI_ASSERT(!settings.path.empty());
    auto connection = open_connection(settings.path, settings.page_cache_bytes);
    if (!connection) return connection.error();
    (*connection)->score_rules = settings.score_rules;
    if (auto migrated = migrate(**connection); !migrated) return migrated.error();
    return std::unique_ptr<Store>(new Store(std::move(settings), std::move(*connection)));
}

Store::Store(StoreSettings settings, std::unique_ptr<Connection> write_connection)
    : settings_(std::move(settings)),
      writer_(std::make_unique<Writer>(std::move(write_connection))),
      reader_(std::make_unique<Reader>(settings_.path, settings_.page_cache_bytes,
                                       settings_.score_rules)) {}

Store::~Store() {
    reader_.reset();
    writer_.reset();
}

void detail::log_read_failure(const std::exception& error) {
    spdlog::error("bank: read failed: {}", error.what());
}

}  // namespace hodi::storage
