// The session sealer: seals that open only with their secret in their session, keyed text
// digests, and proofs of a verified PIN bound to one session and phone.
#include "storage/session_sealer.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <string>

#include "tests/storage/bank_teller.hpp"

namespace hodi::test {

namespace {

using storage::SessionSealer;

constexpr std::string_view pepper = "0123456789abcdef0123456789abcdef";

// HMAC-SHA-256 by libsodium, independent of the sealer's own implementation.
std::array<unsigned char, 32> hmac(std::string_view key, std::string_view message) {
    std::array<unsigned char, 32> out{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&state, out.data());
    return out;
}

std::string length_prefixed(std::string_view part) {
    std::string out(4, '\0');
    const auto size = static_cast<std::uint32_t>(part.size());
    for (int index = 0; index < 4; ++index) {
        out[static_cast<std::size_t>(index)] = static_cast<char>(size >> (24 - 8 * index));
    }
    return out.append(part);
}

// What the sealer's digest of (a, b) for `purpose` must be: its format, fixed since sessions
// sealed by one node (or release) are opened by another.
std::string expected_digest(std::string_view prefix, std::string_view purpose,
                            std::string_view a, std::string_view b) {
    const auto key = hmac(pepper, purpose);
    const std::string_view key_text(reinterpret_cast<const char*>(key.data()), key.size());
    const auto digest = hmac(key_text, length_prefixed(a) + length_prefixed(b));
    std::array<char, 65> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(prefix) + hex.data();
}

}  // namespace

TEST_CASE("seals and proofs are HMAC-SHA-256 under keys derived from the pepper") {
    // Goal: every node and every release computes the same seal and proof (a rolling upgrade
    // keeps live sessions). Method: the sealer's output against libsodium's HMAC computed here.
    const SessionSealer sealer(pepper);
    CHECK(sealer.seal("ATUid_1", "2580") ==
          expected_digest("sealed:", "hodi session seal v1", "ATUid_1", "2580"));
    CHECK(sealer.pin_verified_proof("ATUid_1", "+254712345678") ==
          expected_digest("verified:", "hodi pin verified proof v1", "ATUid_1", "+254712345678"));
    // A long part spans several SHA-256 blocks.
    const std::string long_part(300, 'q');
    CHECK(sealer.seal(long_part, "2580") ==
          expected_digest("sealed:", "hodi session seal v1", long_part, "2580"));
}

TEST_CASE("a seal opens with its secret in its own session only, and shows nothing of it") {
    const SessionSealer sealer(pepper);
    const std::string sealed = sealer.seal("ATUid_1", "2580");
    CHECK(SessionSealer::is_sealed(sealed));
    CHECK(sealed.find("2580") == std::string::npos);
    CHECK(sealer.opens(sealed, "ATUid_1", "2580"));
    CHECK_FALSE(sealer.opens(sealed, "ATUid_1", "2581"));
    CHECK_FALSE(sealer.opens(sealed, "ATUid_2", "2580"));  // bound to its session
    CHECK_FALSE(sealer.opens(sealed, "ATUid_1", sealed));  // a seal is not its own key
    // The same PIN in two sessions seals differently: equal seals say nothing of equal PINs.
    CHECK(sealer.seal("ATUid_2", "2580") != sealed);
    // Another pepper (another bank) cannot open it.
    CHECK_FALSE(SessionSealer(std::string(32, 'x')).opens(sealed, "ATUid_1", "2580"));
    // Length-prefixed parts: moving a character across the boundary changes the seal.
    CHECK(sealer.seal("ATUid_12", "580") != sealer.seal("ATUid_1", "2580"));
}

TEST_CASE("the first of a PIN pair is the repeat when the seal opens, else nothing") {
    const SessionSealer sealer(pepper);
    const std::string sealed = sealer.seal("s", "2580");
    CHECK(sealer.first_of_pair(sealed, "s", "2580") == "2580");
    CHECK(sealer.first_of_pair(sealed, "s", "1357").empty());
    CHECK(sealer.first_of_pair("2580", "s", "1357") == "2580");  // typed in this hop: as is
}

TEST_CASE("text digests are keyed: the same on every node of one bank, unlike another's") {
    // Goal: a stored digest of AT's text (holding the PIN) cannot be searched by trying the
    // 10,000 PINs without the key. Method: two sealers on one pepper agree; another differs.
    const SessionSealer one(pepper);
    const SessionSealer same(pepper);
    const SessionSealer other(std::string(32, 'x'));
    CHECK(one.text_digest("1*2580") == same.text_digest("1*2580"));
    CHECK(one.text_digest("1*2580") != one.text_digest("1*2581"));
    CHECK(one.text_digest("1*2580") != other.text_digest("1*2580"));
    CHECK(SessionSealer::random().text_digest("1*2580") !=
          SessionSealer::random().text_digest("1*2580"));
}

TEST_CASE("a proof of a verified PIN holds for its own session and phone only") {
    const SessionSealer sealer(pepper);
    const std::string proof = sealer.pin_verified_proof("ATUid_1", "+254712345678");
    CHECK(sealer.proves_pin_verified(proof, "ATUid_1", "+254712345678"));
    CHECK_FALSE(sealer.proves_pin_verified(proof, "ATUid_2", "+254712345678"));
    CHECK_FALSE(sealer.proves_pin_verified(proof, "ATUid_1", "+254712345679"));
    CHECK_FALSE(sealer.proves_pin_verified("", "ATUid_1", "+254712345678"));
    CHECK_FALSE(sealer.proves_pin_verified(sealer.seal("ATUid_1", "+254712345678"), "ATUid_1",
                                           "+254712345678"));
}

TEST_CASE("registration takes its first PIN sealed; a PIN change needs a verified PIN") {
    // Goal: no PIN outlives its hop, and the bank still registers and changes PINs. Method:
    // the bank actions as the menu drives them, the earlier hop's PIN sealed by the sealer
    // the hop would use.
    Teller teller(storage::Seconds{std::chrono::seconds{1'800'000'000}});
    const SessionSealer& sealer = *teller.sealer;
    const auto sealed = [&sealer](std::string_view pin) { return sealer.seal("session", pin); };
    CHECK(teller.act("pin.register", {{"pin", sealed("2580")}, {"pin_repeat", "1357"}}).outcome ==
          "mismatch");
    CHECK(teller.act("pin.register", {{"pin", sealed("2580")}, {"pin_repeat", "2580"}}).outcome ==
          "ok");
    CHECK(teller.act("pin.verify", {{"pin", "2580"}}).outcome == "ok");

    // No proof, a forged one, another session's: the PIN stays.
    CHECK(teller
              .act("pin.change",
                   {{"verified", ""}, {"new_pin", sealed("4826")}, {"new_pin_repeat", "4826"}})
              .outcome == "unverified");
    CHECK(teller
              .act("pin.change", {{"verified", sealer.pin_verified_proof("other", teller.phone)},
                                  {"new_pin", sealed("4826")},
                                  {"new_pin_repeat", "4826"}})
              .outcome == "unverified");
    CHECK(teller.act("pin.verify", {{"pin", "4826"}}).outcome == "wrong_pin");

    const engine::ActionResult verified = teller.act("pin.verify", {{"pin", "2580"}});
    REQUIRE(verified.outcome == "ok");
    const std::string proof = verified.outputs.at("pin_verified");
    CHECK(teller
              .act("pin.change",
                   {{"verified", proof}, {"new_pin", sealed("4826")}, {"new_pin_repeat", "4862"}})
              .outcome == "mismatch");
    CHECK(teller
              .act("pin.change",
                   {{"verified", proof}, {"new_pin", sealed("1111")}, {"new_pin_repeat", "1111"}})
              .outcome == "weak");
    CHECK(teller
              .act("pin.change",
                   {{"verified", proof}, {"new_pin", sealed("4826")}, {"new_pin_repeat", "4826"}})
              .outcome == "ok");
    CHECK(teller.act("pin.verify", {{"pin", "4826"}}).outcome == "ok");
    CHECK(teller.act("pin.verify", {{"pin", "2580"}}).outcome == "wrong_pin");
    // A wrong current PIN never yields a proof.
    CHECK_FALSE(teller.act("pin.verify", {{"pin", "9999"}}).outputs.contains("pin_verified"));
}

TEST_CASE("a session that proved the PIN is not asked again, until the PIN is locked") {
    // Goal: the PIN is typed once per session, and the proof is worth no more than the PIN.
    // Method: after registering (which proves the PIN), read the private screens and move money
    // with the proof alone; count argon2-backed attempts; refuse without a proof, with another
    // session's, and after wrong PINs from elsewhere lock the PIN.
    Teller teller(storage::Seconds{std::chrono::seconds{1'800'000'000}});
    const SessionSealer& sealer = *teller.sealer;
    const engine::ActionResult registered = teller.act(
        "pin.register", {{"pin", sealer.seal("session", "2580")}, {"pin_repeat", "2580"}});
    REQUIRE(registered.outcome == "ok");
    const std::string proof = registered.outputs.at("pin_verified");
    CHECK(proof == teller.proof());
    CHECK(teller.act("pin.session", {{"verified", proof}}).outcome == "verified");
    CHECK(teller.act("pin.session", {}).outcome == "ask");

    const std::uint64_t attempts = teller.bank.pin_attempt_writes();
    CHECK(teller.act("balance", {{"verified", proof}}).outputs.at("balance") == "0");
    CHECK(teller.read("savings.list").outcome == "none");
    CHECK(teller.read("loan.status").outcome == "none");
    CHECK(teller.read("score").outcome != "unverified");
    CHECK(teller.act("savings.create", {{"name", "Roof"}, {"target", "800"}, {"weeks", "4"}})
              .outcome == "ok");
    CHECK(teller.act("savings.withdraw", {{"goal", "1"}, {"amount", "10"}, {"verified", proof}})
              .outcome == "insufficient_funds");
    CHECK(teller.bank.pin_attempt_writes() == attempts);  // no PIN was checked

    // Nothing, or another session's proof: refused, and nothing counted against the PIN.
    const std::string elsewhere = sealer.pin_verified_proof("other", teller.phone);
    CHECK(teller.act("balance", {}).outcome == "unverified");
    CHECK(teller.act("balance", {{"verified", elsewhere}}).outcome == "unverified");
    CHECK(teller.act("savings.list", {{"verified", elsewhere}}).outcome == "unverified");
    CHECK(teller.act("loan.limit", {}).outcome == "unverified");
    CHECK(teller.bank.pin_attempt_writes() == attempts);

    // Wrong PINs typed in another session lock the PIN: the proof opens nothing any more.
    while (teller.act("pin.verify", {{"pin", "9999"}}).outcome != "locked") {
    }
    CHECK(teller.act("balance", {{"verified", proof}}).outcome == "locked");
    CHECK(teller.act("savings.withdraw", {{"goal", "1"}, {"amount", "10"}, {"verified", proof}})
              .outcome == "locked");
}

}  // namespace hodi::test
