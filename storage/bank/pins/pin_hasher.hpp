// PIN hashing with argon2id (libsodium), peppered, with a cap on concurrent verifications.
#pragma once

#include <sodium.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>

namespace hodi::storage {

inline constexpr std::ptrdiff_t pin_verify_concurrency_limit = 64;

struct PinSettings {
    // Secret mixed into every PIN before hashing (HMAC-SHA-256 keyed with it), kept out of the
    // database so a stolen file alone cannot be brute-forced over the 10,000 possible PINs.
    std::string pepper;
    unsigned long long opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    std::size_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;  ///< bytes
    // At most this many argon2 runs at once (each takes memlimit bytes and a core).
    std::ptrdiff_t verify_concurrency_max = 2;
};

// The smallest settings libsodium accepts, for tests only: hashing stays real but fast.
PinSettings pin_settings_for_tests();

// Thread-safe. hash() and verify() block their thread for one argon2 run; at most
// verify_concurrency_max of them run at once, the rest wait on a semaphore.
class PinHasher {
public:
    explicit PinHasher(PinSettings settings);

    // The crypto_pwhash_str text of a peppered PIN; nullopt when libsodium runs out of memory.
    std::optional<std::string> hash(std::string_view pin) const;

    // Runs the full argon2 verification. With no stored hash (unknown user, no PIN yet) it
    // verifies against a dummy hash and answers false, so every path costs the same.
    bool verify(const std::optional<std::string>& stored_hash, std::string_view pin) const;

    std::uint64_t verifications() const { return verifications_.load(); }

private:
    std::string pepper_pin(std::string_view pin) const;

    PinSettings settings_;
    std::string dummy_hash_;
    mutable std::counting_semaphore<pin_verify_concurrency_limit> running_;
    mutable std::atomic<std::uint64_t> verifications_{0};
};

}  // namespace hodi::storage
