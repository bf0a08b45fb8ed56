// The binary session encoding: exact round trips, and refusal (never a crash) of bad bytes.
#include "storage/session_codec.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>

#include "storage/session_store.hpp"

namespace {

using hodi::engine::Session;
using hodi::storage::decode_session;
using hodi::storage::encode_session;
using hodi::storage::StoreError;

Session full_session() {
    Session session;
    session.id = "ATUid_0c8a1f2e9b7d4c3a";
    session.phone = "+254712345678";
    session.menu_version = "bank@2024-05-01";
    session.node_id = "savings.deposit.amount";
    session.page = 3;
    session.language = hodi::engine::Language::sw;
    session.history = {{"root", 0}, {"savings", 1}, {"savings.deposit", 65535}};
    session.history_floor = 1;
    session.tries = 2;
    session.variables = {{"amount", "1500"}, {"goal", "Ada ya shule"}, {"empty", ""}};
    session.secrets = {{"pin", "1234"}};
    session.notice = "Kiasi si sahihi.\nJaribu tena.";
    session.started = hodi::engine::TimePoint(std::chrono::nanoseconds(1714550400123456789));
    session.last_seen = session.started + std::chrono::seconds(42);
    session.hops = 7;
    session.last_reply.text_hash = 0xfedcba9876543210ULL;
    session.last_reply.text_size = 11;
    session.last_reply.valid = true;
    session.last_reply.end = false;
    session.last_reply.screen = "Weka kiasi:\n0. Rudi";
    session.id.push_back('\0');  // binary-safe: ids are opaque to the store
    return session;
}

void check_equal(const Session& actual, const Session& expected) {
    CHECK(actual.id == expected.id);
    CHECK(actual.phone == expected.phone);
    CHECK(actual.menu_version == expected.menu_version);
    CHECK(actual.node_id == expected.node_id);
    CHECK(actual.page == expected.page);
    CHECK(actual.language == expected.language);
    REQUIRE(actual.history.size() == expected.history.size());
    for (std::size_t index = 0; index < actual.history.size(); ++index) {
        CHECK(actual.history[index].node_id == expected.history[index].node_id);
        CHECK(actual.history[index].page == expected.history[index].page);
    }
    CHECK(actual.history_floor == expected.history_floor);
    CHECK(actual.tries == expected.tries);
    CHECK(actual.variables == expected.variables);
    CHECK(actual.secrets == expected.secrets);
    CHECK(actual.notice == expected.notice);
    CHECK(actual.started == expected.started);
    CHECK(actual.last_seen == expected.last_seen);
    CHECK(actual.hops == expected.hops);
    CHECK(actual.last_reply.text_hash == expected.last_reply.text_hash);
    CHECK(actual.last_reply.text_size == expected.last_reply.text_size);
    CHECK(actual.last_reply.valid == expected.last_reply.valid);
    CHECK(actual.last_reply.end == expected.last_reply.end);
    CHECK(actual.last_reply.screen == expected.last_reply.screen);
}

unsigned seed_from_environment() {
    if (const char* text = std::getenv("HODI_SEED")) return static_cast<unsigned>(std::stoul(text));
    return std::random_device{}();
}

}  // namespace

TEST_CASE("a session with every field set decodes to exactly the session encoded") {
    // Goal: nothing is lost or altered between hops on different nodes. Method: encode a session
    // with non-default values everywhere (binary id, a pre-epoch-safe time), decode, compare.
    const Session original = full_session();
    const std::string bytes = encode_session(original);
    CHECK(static_cast<std::uint8_t>(bytes.front()) == hodi::storage::session_codec_version);
    const auto decoded = decode_session(bytes);
    REQUIRE(decoded.has_value());
    check_equal(*decoded, original);
}

TEST_CASE("a default session and times before the epoch round-trip") {
    // Goal: zero values and negative clock counts survive. Method: round-trip two edge sessions.
    Session empty;
    auto decoded = decode_session(encode_session(empty));
    REQUIRE(decoded.has_value());
    check_equal(*decoded, empty);
    Session old;
    old.started = hodi::engine::TimePoint(std::chrono::nanoseconds(-5));
    old.last_reply.end = true;
    decoded = decode_session(encode_session(old));
    REQUIRE(decoded.has_value());
    check_equal(*decoded, old);
}

TEST_CASE("an encoded session is compact") {
    // Goal: Redis values stay small. Method: a realistic session encodes under 400 bytes.
    CHECK(encode_session(full_session()).size() < 400);
}

TEST_CASE("unknown versions, empty input and trailing bytes are refused as corrupt") {
    // Goal: another release's format or a foreign value is never misread. Method: alter the
    // version byte, decode nothing, and append a byte.
    std::string bytes = encode_session(full_session());
    std::string other_version = bytes;
    other_version[0] = static_cast<char>(hodi::storage::session_codec_version + 1);
    CHECK(decode_session(other_version).error() == StoreError::corrupt);
    CHECK(decode_session("").error() == StoreError::corrupt);
    CHECK(decode_session(bytes + "x").error() == StoreError::corrupt);
}

TEST_CASE("every truncation of a valid encoding is refused as corrupt") {
    // Goal: a value cut short is detected, never over-read (ASan watches). Method: decode every
    // proper prefix of a full session's bytes, each in its own exactly-sized buffer.
    const std::string bytes = encode_session(full_session());
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        const std::string prefix = bytes.substr(0, size);
        const auto decoded = decode_session(prefix);
        CHECK_MESSAGE(decoded.has_error(), "prefix of size " << size << " decoded");
    }
}

TEST_CASE("out-of-range values are refused as corrupt") {
    // Goal: values the Session types cannot hold are not silently truncated. Method: a bad
    // language byte, and a page varint above 65535.
    Session session;
    std::string bytes = encode_session(session);
    // Layout of a default session: version, four empty strings, page (1 byte), language.
    bytes[6] = 7;
    CHECK(decode_session(bytes).error() == StoreError::corrupt);
    bytes = encode_session(session);
    bytes.replace(5, 1, std::string("\xff\xff\x04", 3));  // page = 131071
    CHECK(decode_session(bytes).error() == StoreError::corrupt);
}

TEST_CASE("random and mutated bytes never crash the decoder") {
    // Goal: garbage under a session key is answered with an error or a session, never a crash or
    // an over-read. Method: seeded random buffers and random byte flips of a valid encoding.
    const unsigned seed = seed_from_environment();
    MESSAGE("HODI_SEED=" << seed);
    std::mt19937 random(seed);
    const std::string valid = encode_session(full_session());
    std::size_t refused = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string bytes;
        if (round % 2 == 0) {
            bytes.resize(random() % 64);
            for (auto& byte : bytes) byte = static_cast<char>(random());
            if (!bytes.empty() && random() % 2 == 0) bytes[0] = 1;  // right version, bad body
        } else {
            bytes = valid;
            const int flips = 1 + static_cast<int>(random() % 4);
            for (int flip = 0; flip < flips; ++flip) {
                bytes[random() % bytes.size()] = static_cast<char>(random());
            }
            bytes.resize(random() % (bytes.size() + 1));
        }
        const auto decoded = decode_session(bytes);
        if (decoded.has_error()) {
            CHECK(decoded.error() == StoreError::corrupt);
            ++refused;
        }
    }
    CHECK(refused > 0);
}
