// GSM-7 membership, septet lengths, prefixes and the safe mapping.
#include "engine/gsm7.hpp"

#include <doctest/doctest.h>

namespace hodi::test {
namespace {

using engine::gsm7_length;

TEST_CASE("extension characters count two septets and basic ones count one") {
    // Goal: gsm7_length. Method: plain ASCII, each extension char, euro sign.
    CHECK(gsm7_length("") == 0);
    CHECK(gsm7_length("Hello, 123!") == 11);
    CHECK(gsm7_length("^{}[]~\\|") == 16);
    CHECK(gsm7_length("\xE2\x82\xAC" "5") == 3);
    CHECK(gsm7_length("\xC3\xA9t\xC3\xA9") == 3);
}

TEST_CASE("the basic alphabet excludes the backtick, extension chars and emoji") {
    // Goal: is_gsm7_basic / is_gsm7. Method: characters on both sides of the line.
    CHECK(engine::is_gsm7_basic("Karibu! Salio: KES 1,000.50 @ 5% \xC2\xA3\xC3\xA9\xCE\x94"));
    CHECK_FALSE(engine::is_gsm7_basic("a`b"));
    CHECK_FALSE(engine::is_gsm7_basic("{x}"));
    CHECK(engine::is_gsm7("{x} \xE2\x82\xAC"));
    CHECK_FALSE(engine::is_gsm7("\xE2\x80\x99"));
    CHECK_FALSE(engine::is_gsm7("\xF0\x9F\x98\x80"));
    CHECK(engine::is_gsm7_basic(U'\n'));
    CHECK(engine::is_gsm7_extension(U'\u20AC'));
    CHECK_FALSE(engine::is_gsm7_extension(U'a'));
}

TEST_CASE("a prefix never splits a character or exceeds its septets") {
    // Goal: gsm7_prefix_bytes. Method: cuts inside multi-byte and extension characters.
    CHECK(engine::gsm7_prefix_bytes("abcdef", 4) == 4);
    CHECK(engine::gsm7_prefix_bytes("ab{", 3) == 2);
    CHECK(engine::gsm7_prefix_bytes("\xC3\xA9\xC3\xA9", 1) == 2);
    CHECK(engine::gsm7_prefix_bytes("abc", 10) == 3);
    // Around the shortcut for texts that cannot overflow (two septets a byte at most).
    CHECK(engine::gsm7_prefix_bytes("{{{", 6) == 3);
    CHECK(engine::gsm7_prefix_bytes("{{{", 5) == 2);
    CHECK(engine::gsm7_prefix_bytes("\xE2\x82\xAC", 6) == 3);  // the euro sign: 3 bytes, 2 septets
    CHECK(engine::gsm7_prefix_bytes("\xE2\x82\xAC", 1) == 0);
    CHECK(engine::gsm7_prefix_bytes("abc", 0) == 0);
}

TEST_CASE("typographic quotes and dashes map to ASCII and the rest to a question mark") {
    // Goal: gsm7_safe. Method: smart quotes, en/em dashes, an emoji, a euro sign.
    CHECK(engine::gsm7_safe("\xE2\x80\x98" "a\xE2\x80\x99 \xE2\x80\x9C" "b\xE2\x80\x9D") ==
          "'a' \"b\"");
    CHECK(engine::gsm7_safe("1\xE2\x80\x93" "2\xE2\x80\x94" "3") == "1-2-3");
    CHECK(engine::gsm7_safe("hi \xF0\x9F\x98\x80") == "hi ?");
    CHECK(engine::gsm7_safe("\xE2\x82\xAC" "5 \xC3\xA9") == "\xE2\x82\xAC" "5 \xC3\xA9");
}

TEST_CASE("malformed UTF-8 is counted and replaced, never read past its end") {
    // Goal: robustness on bad bytes. Method: a truncated sequence and a lone continuation byte.
    CHECK(gsm7_length("a\xC3") == 2);
    CHECK(gsm7_length("\x80\x80") == 2);
    CHECK(engine::gsm7_safe("a\xE2\x82") == "a??");
}

}  // namespace
}  // namespace hodi::test
