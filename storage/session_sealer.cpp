// Keyed digests for sessions: seals, text digests, verification proofs.
#include "storage/session_sealer.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <memory>
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

[[noreturn]] void digest_failed() { throw std::runtime_error("SHA-256 failed in OpenSSL"); }

struct FreeDigest {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, FreeDigest>;

constexpr std::size_t sha256_block_bytes = 64;

void absorb(EVP_MD_CTX* context, const unsigned char* data, std::size_t size) {
    if (EVP_DigestUpdate(context, data, size) != 1) digest_failed();
}

void absorb_part(EVP_MD_CTX* context, std::string_view part) {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const auto size = static_cast<std::uint32_t>(part.size());
    const std::array<unsigned char, 4> length{
        static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
        static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
    absorb(context, length.data(), length.size());
    absorb(context, reinterpret_cast<const unsigned char*>(part.data()), part.size());
}

// A SHA-256 state that has hashed `block` (the key XOR a pad), to be copied from.
std::shared_ptr<const EVP_MD_CTX> absorbed(
    const std::array<unsigned char, sha256_block_bytes>& block) {
    DigestContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
        digest_failed();
    }
    absorb(context.get(), block.data(), block.size());
    return {context.release(), FreeDigest{}};
}

// Each thread's working state, so a digest allocates no context of its own.
EVP_MD_CTX* scratch_context() {
    thread_local const DigestContext context(EVP_MD_CTX_new());
    if (!context) digest_failed();
    return context.get();
}

// A hex digest after its prefix: how long every proof and seal is.
constexpr std::size_t digest_chars = crypto_auth_hmacsha256_BYTES * 2;

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SessionSealer::SessionSealer(std::string_view key_material) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    seal_hmac_ = keyed_hmac(key_material, "hodi session seal v1");
    proof_hmac_ = keyed_hmac(key_material, "hodi pin verified proof v1");
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

SessionSealer::KeyedHmac SessionSealer::keyed_hmac(std::string_view material,
                                                  std::string_view purpose) {
    // HMAC (RFC 2104) with a 32-byte key: the key zero-padded to a block, XOR 0x36 for the
    // inner hash and 0x5c for the outer. The digests are those of libsodium's HMAC-SHA-256
    // under the same key, which made them before.
    auto key = derive<32>(material, purpose);
    std::array<unsigned char, sha256_block_bytes> inner_pad{};
    std::array<unsigned char, sha256_block_bytes> outer_pad{};
    inner_pad.fill(0x36);
    outer_pad.fill(0x5c);
    for (std::size_t index = 0; index < key.size(); ++index) {
        inner_pad[index] ^= key[index];
        outer_pad[index] ^= key[index];
    }
    sodium_memzero(key.data(), key.size());
    KeyedHmac keyed{absorbed(inner_pad), absorbed(outer_pad)};
    sodium_memzero(inner_pad.data(), inner_pad.size());
    sodium_memzero(outer_pad.data(), outer_pad.size());
    return keyed;
}

std::string SessionSealer::mac(const KeyedHmac& keyed, std::string_view prefix,
                               std::string_view a, std::string_view b) const {
    EVP_MD_CTX* context = scratch_context();
    std::array<unsigned char, EVP_MAX_MD_SIZE> inner{};
    unsigned int inner_size = 0;
    if (EVP_MD_CTX_copy_ex(context, keyed.inner.get()) != 1) digest_failed();
    absorb_part(context, a);
    absorb_part(context, b);
    if (EVP_DigestFinal_ex(context, inner.data(), &inner_size) != 1) digest_failed();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_MD_CTX_copy_ex(context, keyed.outer.get()) != 1) digest_failed();
    absorb(context, inner.data(), inner_size);
    if (EVP_DigestFinal_ex(context, digest.data(), &digest_size) != 1) digest_failed();
    std::array<char, EVP_MAX_MD_SIZE * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest_size);
    std::string out;
    out.reserve(prefix.size() + digest_size * 2);
    out.append(prefix).append(hex.data(), digest_size * 2);
    return out;
}

std::string SessionSealer::seal(std::string_view session_id, std::string_view secret) const {
    return mac(seal_hmac_, sealed_prefix, session_id, secret);
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
    return mac(proof_hmac_, proof_prefix, session_id, phone);
}

bool SessionSealer::proves_pin_verified(std::string_view proof, std::string_view session_id,
                                        std::string_view phone) const {
    // Most sessions carry none: no digest is computed to refuse an empty or misshapen one.
    if (proof.size() != proof_prefix.size() + digest_chars) return false;
    return same(proof, pin_verified_proof(session_id, phone));
}

}  // namespace hodi::storage
