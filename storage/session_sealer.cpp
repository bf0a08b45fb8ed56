// Keyed digests for sessions: seals, text digests, verification proofs.
#include "storage/session_sealer.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hodi::storage {

namespace {

constexpr std::string_view sealed_prefix = "sealed:";
constexpr std::string_view proof_prefix = "verified:";

template <std::size_t Size>
std::array<unsigned char, Size> derive(std::string_view material, std::string_view purpose) {
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(material.data()),
                                material.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(purpose.data()),
                                  purpose.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    static_assert(Size <= crypto_auth_hmacsha256_BYTES);
    std::array<unsigned char, Size> key{};
    std::copy_n(mac.begin(), Size, key.begin());
    sodium_memzero(mac.data(), mac.size());
    return key;
}

void update(crypto_auth_hmacsha256_state& state, std::string_view part) {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const auto size = static_cast<std::uint32_t>(part.size());
    const std::array<unsigned char, 4> length{
        static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
        static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
    crypto_auth_hmacsha256_update(&state, length.data(), length.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
}

static_assert(sizeof(crypto_auth_hmacsha256_state) <= 208, "SessionSealer::KeyedState too small");
static_assert(alignof(crypto_auth_hmacsha256_state) <= 8);

// A hex digest after its prefix: how long every proof and seal is.
constexpr std::size_t digest_chars = crypto_auth_hmacsha256_BYTES * 2;

template <class KeyedState>
KeyedState keyed(std::string_view material, std::string_view purpose) {
    auto key = derive<32>(material, purpose);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    sodium_memzero(key.data(), key.size());
    KeyedState out;
    std::memcpy(out.bytes.data(), &state, sizeof state);
    sodium_memzero(&state, sizeof state);
    return out;
}

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SessionSealer::SessionSealer(std::string_view key_material) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    seal_state_ = keyed<KeyedState>(key_material, "hodi session seal v1");
    proof_state_ = keyed<KeyedState>(key_material, "hodi pin verified proof v1");
    text_key_ = derive<crypto_shorthash_KEYBYTES>(key_material, "hodi ussd text digest v1");
}

SessionSealer SessionSealer::random() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::array<char, 32> material{};
    randombytes_buf(material.data(), material.size());
    SessionSealer sealer(std::string_view(material.data(), material.size()));
    sodium_memzero(material.data(), material.size());
    return sealer;
}

std::string SessionSealer::mac(const KeyedState& keyed_state, std::string_view prefix,
                               std::string_view a, std::string_view b) const {
    crypto_auth_hmacsha256_state state;
    std::memcpy(&state, keyed_state.bytes.data(), sizeof state);
    update(state, a);
    update(state, b);
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> digest{};
    crypto_auth_hmacsha256_final(&state, digest.data());
    std::array<char, digest.size() * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    std::string out(prefix);
    out.append(hex.data(), digest.size() * 2);
    return out;
}

std::string SessionSealer::seal(std::string_view session_id, std::string_view secret) const {
    return mac(seal_state_, sealed_prefix, session_id, secret);
}

bool SessionSealer::is_sealed(std::string_view value) { return value.starts_with(sealed_prefix); }

bool SessionSealer::opens(std::string_view sealed, std::string_view session_id,
                          std::string_view clear) const {
    return is_sealed(sealed) && !is_sealed(clear) && same(sealed, seal(session_id, clear));
}

std::string SessionSealer::first_of_pair(std::string_view first, std::string_view session_id,
                                         std::string_view repeat) const {
    if (!is_sealed(first)) return std::string(first);
    return opens(first, session_id, repeat) ? std::string(repeat) : std::string();
}

std::uint64_t SessionSealer::text_digest(std::string_view text) const {
    std::array<unsigned char, crypto_shorthash_BYTES> digest{};
    crypto_shorthash(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), text_key_.data());
    std::uint64_t value = 0;
    for (const unsigned char byte : digest) value = (value << 8) | byte;
    return value;
}

std::string SessionSealer::pin_verified_proof(std::string_view session_id,
                                              std::string_view phone) const {
    return mac(proof_state_, proof_prefix, session_id, phone);
}

bool SessionSealer::proves_pin_verified(std::string_view proof, std::string_view session_id,
                                        std::string_view phone) const {
    // Most sessions carry none: no digest is computed to refuse an empty or misshapen one.
    if (proof.size() != proof_prefix.size() + digest_chars) return false;
    return same(proof, pin_verified_proof(session_id, phone));
}

}  // namespace hodi::storage
