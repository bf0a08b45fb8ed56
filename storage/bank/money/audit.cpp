// The hash-chained audit log in SQL: appending an event and verifying the whole chain.
#include "storage/bank/money/audit.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <memory>

#include "engine/assert.hpp"

namespace hodi::storage {

namespace {

// "<bytes>:<text>," — the length prefix keeps field boundaries unambiguous.
void add_netstring(std::string& out, std::string_view text) {
    out += std::to_string(text.size());
    out.push_back(':');
    out.append(text);
    out.push_back(',');
}

std::string hex(const unsigned char* bytes, unsigned int size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(size * 2u);
    for (unsigned int i = 0; i < size; ++i) {
        text.push_back(digits[bytes[i] >> 4]);
        text.push_back(digits[bytes[i] & 0x0f]);
    }
    return text;
}

std::string sha256_hex(std::string_view data) {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    // SHA-256 over memory fails only when OpenSSL cannot allocate: that is not a value to
    // answer, the process is out of memory.
    const bool ok = context && EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(context.get(), data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1;
    HODI_ASSERT(ok);
    return hex(digest.data(), size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                  data.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    return hex(mac.data(), static_cast<unsigned int>(mac.size()));
}

}  // namespace

std::string audit_key_from_pepper(std::string_view pepper) {
    if (pepper.empty()) return {};
    return hmac_sha256_hex(pepper, "hodi audit chain v1");
}

boost::system::result<void> key_audit_chain(Store& store, std::string_view pepper) {
    auto keyed = store.write_now<int>(
        [key = audit_key_from_pepper(pepper),
         head = audit_head_path(store.path())](Connection& db) -> boost::system::result<int> {
            db.audit_key = key;
            db.audit_head_file = head;
            return 0;
        });
    if (!keyed) return keyed.error();
    return {};
}

std::string audit_hash(std::string_view prev_hash, std::int64_t seq, Seconds at,
                       const AuditEvent& event, std::string_view key) {
    std::string message;
    message.reserve(prev_hash.size() + event.actor.size() + event.event.size() +
                    event.subject.size() + event.detail.size() + 64);
    message.append(prev_hash);
    add_netstring(message, std::to_string(seq));
    add_netstring(message, std::to_string(unix_seconds(at)));
    add_netstring(message, event.actor);
    add_netstring(message, event.event);
    add_netstring(message, event.subject);
    add_netstring(message, event.detail);
    return key.empty() ? sha256_hex(message) : hmac_sha256_hex(key, message);
}

boost::system::result<void> append_audit(Connection& db, const AuditEvent& event, Seconds now) {
    HODI_ASSERT(!event.actor.empty() && !event.event.empty());
    std::int64_t seq = 1;
    std::string prev_hash(audit_genesis_hash);
    Prepared last(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (last.executeStep()) {
        seq = last.getColumn(0).getInt64() + 1;
        prev_hash = last.getColumn(1).getString();
    }
    Prepared insert(db,
                    "INSERT INTO audit (seq, at, actor, event, subject, detail, "
                    "prev_hash, hash, keyed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, seq);
    insert.bind(2, unix_seconds(now));
    insert.bind(3, event.actor);
    insert.bind(4, event.event);
    insert.bind(5, event.subject);
    insert.bind(6, event.detail);
    insert.bind(7, prev_hash);
    std::string hash = audit_hash(prev_hash, seq, now, event, db.audit_key);
    insert.bind(8, hash);
    insert.bind(9, db.audit_key.empty() ? 0 : 1);
    insert.exec();
    if (!db.audit_head_file.empty()) db.pending_audit_head = Connection::AuditHead{seq, hash};
    return {};
}

boost::system::result<AuditCheck> verify_audit(Connection& db, std::string_view key,
                                               const std::optional<Connection::AuditHead>& head) {
    Prepared rows(db,
                  "SELECT seq, at, actor, event, subject, detail, prev_hash, hash, keyed "
                  "FROM audit ORDER BY seq");
    AuditCheck check;
    std::string expected_prev(audit_genesis_hash);
    bool keyed_seen = false;
    bool head_seen = false;
    while (rows.executeStep()) {
        const std::int64_t seq = rows.getColumn(0).getInt64();
        ++check.events;
        const AuditEvent event{rows.getColumn(2).getString(), rows.getColumn(3).getString(),
                               rows.getColumn(4).getString(), rows.getColumn(5).getString()};
        const std::string prev_hash = rows.getColumn(6).getString();
        std::string hash = rows.getColumn(7).getString();
        const bool keyed = rows.getColumn(8).getInt() != 0;
        const Seconds at{std::chrono::seconds{rows.getColumn(1).getInt64()}};
        const char* reason = nullptr;
        if (seq != check.events) {
            reason = "a gap in the sequence: an event before it is missing";
        } else if (prev_hash != expected_prev) {
            reason = "its prev_hash is not the previous event's hash";
        } else if (keyed && key.empty()) {
            reason = "it is keyed and no key was given to check it (the PIN pepper)";
        } else if (!keyed && keyed_seen) {
            reason = "an unkeyed event after keyed ones: re-chained without the key";
        } else if (hash != audit_hash(prev_hash, seq, at, event, keyed ? key : "")) {
            reason = "its hash does not match its fields";
        } else if (head && seq == head->seq && hash != head->hash) {
            reason = "it is not the event the head file names: the chain was rewritten";
        }
        if (reason) {
            // Report the expected seq on a gap: that is where the chain stops holding.
            check.broken = std::min(seq, check.events);
            check.reason = reason;
            return check;
        }
        keyed_seen = keyed_seen || keyed;
        head_seen = head_seen || (head && seq == head->seq);
        expected_prev = std::move(hash);
    }
    if (head && !head_seen) {
        check.broken = check.events + 1;
        check.reason = "the head file names event " + std::to_string(head->seq) +
                       " but the chain ends before it: newer events were removed";
    }
    return check;
}

}  // namespace hodi::storage
