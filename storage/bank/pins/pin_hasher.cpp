// argon2id over HMAC(pepper, PIN), via libsodium.
#include "storage/bank/pins/pin_hasher.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>


namespace hodi::storage {

namespace {

// Holds a semaphore slot for one argon2 run.
class Slot {
public:
    explicit Slot(std::counting_semaphore<pin_verify_concurrency_limit>& semaphore)
        : semaphore_(semaphore) {
        semaphore_.acquire();
    }
    ~Slot() { semaphore_.release(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

private:
    std::counting_semaphore<pin_verify_concurrency_limit>& semaphore_;
};

}  // namespace

PinSettings pin_settings_for_tests() {
    PinSettings settings;
    settings.pepper = "test pepper";
    settings.opslimit = crypto_pwhash_OPSLIMIT_MIN;
    settings.memlimit = 64 * 1024;
    return settings;
}

PinHasher::PinHasher(PinSettings settings)
    : settings_(std::move(settings)),
      running_(std::clamp<std::ptrdiff_t>(settings_.verify_concurrency_max, 1,
                                          pin_verify_concurrency_limit)) {
    // Startup: a libsodium that cannot initialise, or settings it refuses, stop hodi here.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    auto dummy = hash("dummy PIN that no one can type");
    if (!dummy) throw std::runtime_error("argon2 refused the PIN settings");
    dummy_hash_ = std::move(*dummy);
}

std::string PinHasher::pepper_pin(std::string_view pin) const {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state,
                                reinterpret_cast<const unsigned char*>(settings_.pepper.data()),
                                settings_.pepper.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(pin.data()),
                                  pin.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    sodium_memzero(mac.data(), mac.size());
    return std::string(hex.data(), hex.size() - 1);
}

std::optional<std::string> PinHasher::hash(std::string_view pin) const {
    std::string peppered = pepper_pin(pin);
    std::array<char, crypto_pwhash_STRBYTES> out{};
    int status = 0;
    {
        const Slot slot(running_);
        status = crypto_pwhash_str(out.data(), peppered.data(), peppered.size(),
                                   settings_.opslimit, settings_.memlimit);
    }
    sodium_memzero(peppered.data(), peppered.size());
    if (status != 0) return std::nullopt;
    return std::string(out.data());
}

bool PinHasher::verify(const std::optional<std::string>& stored_hash, std::string_view pin) const {
    std::string peppered = pepper_pin(pin);
    const std::string& against = stored_hash ? *stored_hash : dummy_hash_;
    int status = -1;
    {
        const Slot slot(running_);
        status = crypto_pwhash_str_verify(against.c_str(), peppered.data(), peppered.size());
    }
    verifications_.fetch_add(1, std::memory_order_relaxed);
    sodium_memzero(peppered.data(), peppered.size());
    return stored_hash.has_value() && status == 0;
}

}  // namespace hodi::storage
