// Shillings text to cents and back.
#include "storage/bank/money/money.hpp"

#include <doctest/doctest.h>

using hodi::storage::format_cents;
using hodi::storage::parse_shillings;

TEST_CASE("shillings text parses to exact cents") {
    // Goal: amounts typed on a keypad become integer cents with no rounding. Method: table.
    CHECK(parse_shillings("1500") == 150000);
    CHECK(parse_shillings("1500.5") == 150050);
    CHECK(parse_shillings("1500.50") == 150050);
    CHECK(parse_shillings("0.01") == 1);
    CHECK(parse_shillings("0") == 0);
    CHECK(parse_shillings("10000000000") == hodi::storage::transfer_cents_max);
}

TEST_CASE("malformed or oversized shillings text is refused") {
    // Goal: nothing but digits with up to two decimals passes. Method: table of bad inputs.
    for (const char* bad : {"", ".", "1.", ".5", "1.505", "-5", "+5", "1,500", "12a", " 1",
                            "10000000000.01", "99999999999999999999", "1.5.0"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_shillings(bad).has_value());
    }
}

TEST_CASE("cents format with thousands separators and cents only when present") {
    // Goal: screens show "1,500" and "1,500.50". Method: table, including negatives.
    CHECK(format_cents(0) == "0");
    CHECK(format_cents(5) == "0.05");
    CHECK(format_cents(150000) == "1,500");
    CHECK(format_cents(150050) == "1,500.50");
    CHECK(format_cents(12345678901) == "123,456,789.01");
    CHECK(format_cents(-2500) == "-25");
    CHECK(format_cents(100000) == "1,000");
    CHECK(format_cents(99999) == "999.99");
}
