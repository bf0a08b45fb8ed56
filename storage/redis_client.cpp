// RedisClient and RedisPool: thin thread-safe handles over RedisConnection.
#include "storage/redis_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/redis_connection.hpp"
#include "storage/session_store.hpp"

namespace hodi::storage {

namespace {

net::any_io_executor connection_executor(const net::any_io_executor& executor,
                                         const RedisSettings& settings) {
    if (settings.one_thread) return executor;
    return net::make_strand(executor);
}

}  // namespace

RedisClient::RedisClient(const net::any_io_executor& executor, RedisSettings settings)
    : one_thread_(settings.one_thread),
      connection_(std::make_shared<RedisConnection>(connection_executor(executor, settings),
                                                    std::move(settings))) {
    connection_->start();
}

RedisClient::~RedisClient() { connection_->stop(); }

bool RedisClient::connected() const { return connection_->connected(); }

net::awaitable<boost::system::result<RedisReply>> RedisClient::command(
    std::vector<std::string> args) {
    std::vector<std::vector<std::string>> commands;
    commands.push_back(std::move(args));
    auto replies = co_await pipeline(std::move(commands));
    if (!replies) co_return replies.error();
    co_return std::move(replies->front());
}

net::awaitable<boost::system::result<std::vector<RedisReply>>> RedisClient::pipeline(
    std::vector<std::vector<std::string>> commands) {
    // Failing fast here spares a trip through the strand while Redis is down.
    if (!connection_->connected()) co_return make_error_code(StoreError::unavailable);
    if (one_thread_) {
        co_return co_await RedisConnection::run_commands(connection_, std::move(commands));
    }
    co_return co_await net::co_spawn(
        connection_->executor(), RedisConnection::run_commands(connection_, std::move(commands)),
        net::use_awaitable);
}

RedisPool::RedisPool(const net::any_io_executor& executor, std::size_t size,
                     RedisSettings settings) {
    size = std::max<std::size_t>(size, 1);
    clients_.reserve(size);
    for (std::size_t index = 0; index < size; ++index) {
        clients_.push_back(std::make_unique<RedisClient>(executor, settings));
    }
}

RedisClient& RedisPool::next() {
    const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t offset = 0; offset < clients_.size(); ++offset) {
        RedisClient& client = *clients_[(start + offset) % clients_.size()];
        if (client.connected()) return client;
    }
    return *clients_[start % clients_.size()];
}

bool RedisPool::connected() const {
    for (const auto& client : clients_) {
        if (client->connected()) return true;
    }
    return false;
}

}  // namespace hodi::storage
