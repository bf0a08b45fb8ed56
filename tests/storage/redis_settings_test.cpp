// Parsing of redis:// URLs into RedisSettings.
#include "storage/redis_settings.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using hodi::storage::parse_redis_url;
using hodi::storage::RedisSettings;

TEST_CASE("a full redis URL sets host, port, database and password") {
    // Goal: HODI_REDIS_URL carries everything needed to connect. Method: parse full URLs.
    const RedisSettings settings = parse_redis_url("redis://:s3cr@t:x@redis.internal:6380/4");
    CHECK(settings.host == "redis.internal");
    CHECK(settings.port == 6380);
    CHECK(settings.db == 4);
    CHECK(settings.username.empty());
    CHECK(settings.password == "s3cr@t:x");
    const RedisSettings acl = parse_redis_url("redis://hodi:pw@10.0.0.5:7000/0");
    CHECK(acl.username == "hodi");
    CHECK(acl.password == "pw");
    CHECK(acl.host == "10.0.0.5");
}

TEST_CASE("a short redis URL keeps the defaults and the caller's other settings") {
    // Goal: "redis://host" is enough, and parsing never resets unrelated fields. Method: parse
    // into settings with a custom prefix and timeout.
    RedisSettings base;
    base.key_prefix = "test:";
    base.command_timeout = std::chrono::milliseconds(50);
    const RedisSettings settings = parse_redis_url("redis://cache", base);
    CHECK(settings.host == "cache");
    CHECK(settings.port == 6379);
    CHECK(settings.db == 0);
    CHECK(settings.key_prefix == "test:");
    CHECK(settings.command_timeout == std::chrono::milliseconds(50));
    CHECK(parse_redis_url("redis://127.0.0.1:6390/").port == 6390);
}

TEST_CASE("malformed redis URLs are refused with a message naming the problem") {
    // Goal: a typo stops hodi at startup with a clear reason. Method: parse bad URLs and look
    // for the part at fault in the message.
    const auto message_for = [](const char* url) {
        try {
            parse_redis_url(url);
        } catch (const std::invalid_argument& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    CHECK(message_for("http://localhost:6379").find("redis://") != std::string::npos);
    CHECK(message_for("redis://localhost:port").find("port") != std::string::npos);
    CHECK(message_for("redis://localhost:0").find("port") != std::string::npos);
    CHECK(message_for("redis://localhost:70000").find("port") != std::string::npos);
    CHECK(message_for("redis://localhost:6379/x").find("database") != std::string::npos);
    CHECK(message_for("redis://:6379").find("host") != std::string::npos);
    CHECK(message_for("redis://user@localhost").find("credentials") != std::string::npos);
    CHECK(message_for("redis://[::1]:6379").find("host") != std::string::npos);
}
