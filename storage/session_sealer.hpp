// What must outlive a hop without being kept: keyed digests, so that a session store (memory or
// Redis) never holds a PIN, nor an unkeyed hash of one that 10,000 guesses would open.
//  - A PIN typed in one hop and used by a later hop's action (a registration's first PIN, a new
//    PIN before its repeat) is kept sealed: HMAC-SHA-256 keyed, bound to its session. The later
//    action compares the PIN typed then with the seal; the sealed value itself opens nothing.
//  - AT's `text` (which holds every PIN typed in the session) is remembered by a keyed 64-bit
//    digest (SipHash-2-4), to tell a repeated hop from a new one.
//  - A session whose PIN was verified carries a proof of it, bound to its id and phone, so a
//    later action can trust the verification without the PIN being kept.
// The key comes from the PIN pepper, so every node serving the same bank agrees. Thread-safe
// (immutable after construction).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of every includer

namespace hodi::storage {

class SessionSealer {
public:
    // Keys derived from `key_material` (the PIN pepper): one per use, so no digest of one kind
    // can stand for another.
    explicit SessionSealer(std::string_view key_material);
    // A sealer with a random key, for a process that keeps no bank (demo actions, tests):
    // sessions it sealed mean nothing to any other process.
    static SessionSealer random();

    // The sealed form of `secret` typed in session `session_id`.
    std::string seal(std::string_view session_id, std::string_view secret) const;
    static bool is_sealed(std::string_view value);
    // `clear` is the secret `sealed` was made from, in that session (constant time).
    bool opens(std::string_view sealed, std::string_view session_id, std::string_view clear) const;

    // The first of two entries of one secret (a PIN and its repeat) as it was typed: `first`
    // itself when clear; `repeat` when `first` is sealed and `repeat` opens it; "" when it does
    // not open it, which no repeat equals, so the pair reads as a mismatch.
    std::string first_of_pair(std::string_view first, std::string_view session_id,
                              std::string_view repeat) const;

    std::uint64_t text_digest(std::string_view text) const;

    // The proof that session `session_id` of `phone` had its PIN verified.
    std::string pin_verified_proof(std::string_view session_id, std::string_view phone) const;
    bool proves_pin_verified(std::string_view proof, std::string_view session_id,
                             std::string_view phone) const;

private:
    // HMAC-SHA-256 with its key already absorbed: the inner and outer SHA-256 states after the
    // key's padded block, so each digest hashes only its own bytes (two compressions, not four).
    // OpenSSL's SHA-256 uses the CPU's SHA extensions where there are any: several digests are
    // made per session, and they took less than half the time libsodium's portable SHA-256 did
    // (bench/README.md). The states are only ever copied from, so one sealer serves every
    // thread.
    struct KeyedHmac {
        std::shared_ptr<const evp_md_ctx_st> inner;
        std::shared_ptr<const evp_md_ctx_st> outer;
    };
    static KeyedHmac keyed_hmac(std::string_view material, std::string_view purpose);
    std::string mac(const KeyedHmac& keyed, std::string_view prefix, std::string_view a,
                    std::string_view b) const;

    KeyedHmac seal_hmac_;
    KeyedHmac proof_hmac_;
    std::array<unsigned char, 16> text_key_{};
};

}  // namespace hodi::storage
