// RedisSessionStore: SET/GET/DEL of encoded sessions; see redis_session_store.hpp.
#include "storage/redis_session_store.hpp"

#include <algorithm>

#include "storage/session_codec.hpp"

namespace hodi::storage {

namespace {

// Redis answered, but not as SET/GET/DEL answer: an error reply (OOM, READONLY replica, a
// LOADING server) or a type we never store. Either way this node cannot use the store now.
boost::system::error_code unexpected_reply() { return make_error_code(StoreError::unavailable); }

// Built outside the coroutines: g++ 12 miscompiles a braced list of strings inside one.
std::vector<std::string> key_command(std::string_view verb, std::string key) {
    std::vector<std::string> args;
    args.reserve(5);
    args.emplace_back(verb);
    args.push_back(std::move(key));
    return args;
}

std::vector<std::string> set_command(std::string key, std::string value, std::chrono::seconds ttl) {
    // Redis refuses PX 0; a zero TTL still means "expire at once", so round it up.
    const auto ttl_ms =
        std::max<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count(), 1);
    std::vector<std::string> args = key_command("SET", std::move(key));
    args.push_back(std::move(value));
    args.emplace_back("PX");
    args.push_back(std::to_string(ttl_ms));
    return args;
}

}  // namespace

RedisSessionStore::RedisSessionStore(const net::any_io_executor& executor,
                                     RedisSettings settings)
    : settings_(settings), pool_(executor, settings.connections, std::move(settings)) {}

std::string RedisSessionStore::key(std::string_view session_id) const {
    std::string out;
    out.reserve(settings_.key_prefix.size() + session_id.size());
    out.append(settings_.key_prefix).append(session_id);
    return out;
}

net::awaitable<boost::system::result<std::optional<engine::Session>>> RedisSessionStore::load(
    std::string session_id) {
    auto reply = co_await pool_.next().command(key_command("GET", key(session_id)));
    if (!reply) co_return reply.error();
    if (reply->type == RedisReply::Type::nil) co_return std::nullopt;
    if (reply->type != RedisReply::Type::string) co_return unexpected_reply();
    auto session = decode_session(reply->text);
    if (!session) co_return session.error();
    co_return std::optional<engine::Session>(std::move(*session));
}

net::awaitable<boost::system::error_code> RedisSessionStore::save(engine::Session session,
                                                                  std::chrono::seconds ttl) {
    std::string value = encode_session(session);
    if (value.size() > settings_.session_bytes_max) {
        co_return make_error_code(boost::system::errc::value_too_large);
    }
    auto reply =
        co_await pool_.next().command(set_command(key(session.id), std::move(value), ttl));
    if (!reply) co_return reply.error();
    if (!reply->is_status("OK")) co_return unexpected_reply();
    co_return boost::system::error_code{};
}

net::awaitable<boost::system::error_code> RedisSessionStore::erase(std::string session_id) {
    auto reply = co_await pool_.next().command(key_command("DEL", key(session_id)));
    if (!reply) co_return reply.error();
    if (reply->type != RedisReply::Type::integer) co_return unexpected_reply();
    co_return boost::system::error_code{};
}

}  // namespace hodi::storage
