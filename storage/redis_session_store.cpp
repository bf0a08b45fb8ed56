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

// The session saved (KEYS[1], value ARGV[1] for ARGV[2] ms) and the claim (KEYS[2]) deleted
// only while it is still this hop's (ARGV[3]): one that expired and was taken by a later hop
// stays with that hop. For a hop that took longer than half its hold, which a plain DEL is not
// safe for.
constexpr std::string_view save_and_unclaim_script =
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
    "if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end "
    "return 1";

constexpr std::string_view unclaim_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

// EVAL of `script` with `keys` keys, then the arguments: plain push_backs (see above).
std::vector<std::string> script_command(std::string_view script, std::size_t keys) {
    std::vector<std::string> args;
    args.reserve(8);
    args.emplace_back("EVAL");
    args.emplace_back(script);
    args.push_back(std::to_string(keys));
    return args;
}

std::string milliseconds_text(std::chrono::milliseconds duration) {
    // Redis refuses PX 0.
    return std::to_string(std::max<long long>(duration.count(), 1));
}

// The claim (SET NX: only if no hop holds the session) and the session's GET, pipelined: the
// GET's answer counts only when the claim was taken, and the claim is taken before the GET
// reads, so no other hop can save between them.
std::vector<std::vector<std::string>> claim_and_load_commands(std::string session_key,
                                                              std::string claim_key,
                                                              SessionStore::Claim claim) {
    std::vector<std::vector<std::string>> commands;
    commands.reserve(2);
    std::vector<std::string> set_claim = key_command("SET", std::move(claim_key));
    set_claim.push_back(std::move(claim.holder));
    set_claim.emplace_back("NX");
    set_claim.emplace_back("PX");
    set_claim.push_back(milliseconds_text(claim.hold));
    commands.push_back(std::move(set_claim));
    commands.push_back(key_command("GET", std::move(session_key)));
    return commands;
}

// The session's SET and the claim's DEL, pipelined: for a claim that cannot have expired yet,
// so it is still this hop's.
std::vector<std::vector<std::string>> save_and_delete_claim_commands(
    std::string session_key, std::string claim_key, std::string value,
    std::chrono::seconds ttl) {
    std::vector<std::vector<std::string>> commands;
    commands.reserve(2);
    commands.push_back(set_command(std::move(session_key), std::move(value), ttl));
    commands.push_back(key_command("DEL", std::move(claim_key)));
    return commands;
}

// Whether `claim` surely has not expired: Redis set it after `sent`, for `hold`. Half the hold
// is kept as margin against the two clocks' drift and a Redis that was slow to set it.
bool claim_surely_held(const SessionStore::Claim& claim) {
    if (claim.sent == std::chrono::steady_clock::time_point{}) return false;
    return std::chrono::steady_clock::now() < claim.sent + claim.hold / 2;
}

std::vector<std::string> save_and_unclaim_command(std::string session_key, std::string claim_key,
                                                  std::string value, std::chrono::seconds ttl,
                                                  std::string holder) {
    std::vector<std::string> args = script_command(save_and_unclaim_script, 2);
    args.push_back(std::move(session_key));
    args.push_back(std::move(claim_key));
    args.push_back(std::move(value));
    args.push_back(milliseconds_text(std::chrono::milliseconds(ttl)));
    args.push_back(std::move(holder));
    return args;
}

std::vector<std::string> unclaim_command(std::string claim_key, std::string holder) {
    std::vector<std::string> args = script_command(unclaim_script, 1);
    args.push_back(std::move(claim_key));
    args.push_back(std::move(holder));
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

net::awaitable<boost::system::result<SessionStore::Claimed>> RedisSessionStore::claim_and_load(
    std::string session_id, Claim claim) {
    using Result = boost::system::result<Claimed>;
    auto replies = co_await pool_.next().pipeline(
        claim_and_load_commands(key(session_id), claim_key(session_id), std::move(claim)));
    if (!replies) co_return Result(boost::system::in_place_error, replies.error());
    const RedisReply& claimed = (*replies)[0];
    const RedisReply& stored = (*replies)[1];
    if (claimed.type == RedisReply::Type::nil) co_return Claimed{true, std::nullopt};
    if (!claimed.is_status("OK")) {
        co_return Result(boost::system::in_place_error, unexpected_reply());
    }
    if (stored.type == RedisReply::Type::nil) co_return Claimed{false, std::nullopt};
    if (stored.type != RedisReply::Type::string) {
        co_return Result(boost::system::in_place_error, unexpected_reply());
    }
    auto session = decode_session(stored.text);
    if (!session) co_return Result(boost::system::in_place_error, session.error());
    co_return Claimed{false, std::move(*session)};
}

net::awaitable<boost::system::error_code> RedisSessionStore::save_and_unclaim(
    engine::Session session, std::chrono::seconds ttl, Claim claim) {
    std::string value = encode_session(session);
    if (value.size() > settings_.session_bytes_max) {
        co_return make_error_code(boost::system::errc::value_too_large);
    }
    if (claim_surely_held(claim)) {
        auto replies = co_await pool_.next().pipeline(save_and_delete_claim_commands(
            key(session.id), claim_key(session.id), std::move(value), ttl));
        if (!replies) co_return replies.error();
        if (!(*replies)[0].is_status("OK") || (*replies)[1].type != RedisReply::Type::integer) {
            co_return unexpected_reply();
        }
        co_return boost::system::error_code{};
    }
    auto reply = co_await pool_.next().command(save_and_unclaim_command(
        key(session.id), claim_key(session.id), std::move(value), ttl, std::move(claim.holder)));
    if (!reply) co_return reply.error();
    if (reply->type != RedisReply::Type::integer) co_return unexpected_reply();
    co_return boost::system::error_code{};
}

net::awaitable<boost::system::error_code> RedisSessionStore::unclaim(std::string session_id,
                                                                     std::string holder) {
    auto reply = co_await pool_.next().command(
        unclaim_command(claim_key(session_id), std::move(holder)));
    if (!reply) co_return reply.error();
    if (reply->type != RedisReply::Type::integer) co_return unexpected_reply();
    co_return boost::system::error_code{};
}

net::awaitable<boost::system::error_code> RedisSessionStore::erase(std::string session_id) {
    auto reply = co_await pool_.next().command(key_command("DEL", key(session_id)));
    if (!reply) co_return reply.error();
    if (reply->type != RedisReply::Type::integer) co_return unexpected_reply();
    co_return boost::system::error_code{};
}

}  // namespace hodi::storage
