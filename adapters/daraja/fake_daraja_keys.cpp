// The fake Daraja's cryptography: a sandbox initiator key pair, the check of a
// SecurityCredential against it (RSA PKCS#1 v1.5, as Safaricom's certificates are used), and
// the SHA-256 hex C2B v1 sends in place of the payer's number.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>
#include <vector>

#include "adapters/daraja/fake_daraja_impl.hpp"

namespace hodi::adapters::daraja {

namespace {

constexpr unsigned initiator_key_bits = 2048;  // Safaricom's certificates hold 2048-bit keys

struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::vector<unsigned char> bytes(text.size() / 4 * 3);
    const int written =
        EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(text.size()));
    if (written < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(written);
    if (text.ends_with("=="))
        size -= 2;
    else if (text.ends_with("="))
        size -= 1;
    return std::string(reinterpret_cast<const char*>(bytes.data()), size);
}

}  // namespace

std::optional<InitiatorKeys> generate_initiator_keys(std::string& problem) {
    Key key(EVP_RSA_gen(initiator_key_bits));
    if (!key) {
        problem = "RSA key generation failed";
        return std::nullopt;
    }
    Bio private_bio(BIO_new(BIO_s_mem()), &BIO_free);
    Bio public_bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!private_bio || !public_bio ||
        PEM_write_bio_PrivateKey(private_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1 ||
        PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
        problem = "writing the key pair as PEM failed";
        return std::nullopt;
    }
    return InitiatorKeys{bio_text(private_bio.get()), bio_text(public_bio.get())};
}

}  // namespace hodi::adapters::daraja

namespace hodi::adapters::daraja::fake {

bool credential_matches(std::string_view private_key_pem, std::string_view credential,
                        std::string_view password) {
    const auto encrypted = base64_decode(credential);
    if (!encrypted) return false;
    Bio bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())),
            &BIO_free);
    Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key) return false;
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
        EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
    const auto* input = reinterpret_cast<const unsigned char*>(encrypted->data());
    std::size_t size = 0;
    if (!context || EVP_PKEY_decrypt_init(context.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_decrypt(context.get(), nullptr, &size, input, encrypted->size()) != 1) {
        return false;
    }
    std::vector<unsigned char> plain(size);
    if (EVP_PKEY_decrypt(context.get(), plain.data(), &size, input, encrypted->size()) != 1) {
        return false;
    }
    return std::string_view(reinterpret_cast<const char*>(plain.data()), size) == password;
}

std::string sha256_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (unsigned int index = 0; index < size; ++index) {
        out += hex[digest[index] >> 4];
        out += hex[digest[index] & 0x0f];
    }
    return out;
}

}  // namespace hodi::adapters::daraja::fake
