// The `loans:` configuration section: products, the limit table, and errors naming the key.
#include "app/config.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include "storage/bank/sql/connection.hpp"
#include "tests/support/vectors.hpp"

namespace hodi::app {

namespace {

Environment no_environment() {
    return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

Config load_text(std::string_view text) {
    const test::TempDir dir;
    const auto path = dir.path() / "hodi.yaml";
    std::ofstream(path) << text;
    return load_config(path, no_environment());
}

std::string error_of(std::string_view text) {
    try {
        load_text(text);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the loans section sets products and limits in shillings and percentages") {
    // Goal: every product key and the limit table parse. Method: non-default values throughout.
    const Config config = load_text(
        "loans:\n"
        "  products:\n"
        "    - {name: boda, min: \"100.50\", max: \"9000\", term_days: 14, interest: 7.5%,\n"
        "       fee: \"0\", penalty: 0.25%, open_loans_max: 2}\n"
        "  limits:\n"
        "    - {score: 10, limit: \"1000\"}\n"
        "    - {score: 70, limit: \"8000\"}\n");
    REQUIRE(config.loans.products.size() == 1);
    const storage::LoanProduct& product = config.loans.product();
    CHECK(product.name == "boda");
    CHECK(product.min == 10'050);
    CHECK(product.max == 900'000);
    CHECK(product.term_days == 14);
    CHECK(product.interest == 750);
    CHECK(product.fee == 0);
    CHECK(product.penalty == 25);
    CHECK(product.open_loans_max == 2);
    REQUIRE(config.loans.limits.size() == 2);
    CHECK(config.loans.limit_for_score(9) == 0);
    CHECK(config.loans.limit_for_score(69) == 100'000);
    CHECK(config.loans.limit_for_score(100) == 800'000);
}

TEST_CASE("the example's loans section documents the defaults") {
    // Goal: examples/hodi.yaml's loans: matches LoanSettings{}. Method: load it, compare.
    const Config example = load_config(test::source_dir() / "examples/hodi.yaml",
                                       no_environment());
    const storage::LoanSettings defaults;
    const storage::LoanProduct& product = example.loans.product();
    const storage::LoanProduct& expected = defaults.product();
    CHECK(product.name == expected.name);
    CHECK(product.min == expected.min);
    CHECK(product.max == expected.max);
    CHECK(product.term_days == expected.term_days);
    CHECK(product.interest == expected.interest);
    CHECK(product.fee == expected.fee);
    CHECK(product.penalty == expected.penalty);
    CHECK(product.open_loans_max == expected.open_loans_max);
    REQUIRE(example.loans.limits.size() == defaults.limits.size());
    for (std::size_t i = 0; i < defaults.limits.size(); ++i) {
        CHECK(example.loans.limits[i].score_min == defaults.limits[i].score_min);
        CHECK(example.loans.limits[i].limit == defaults.limits[i].limit);
    }
    CHECK(example.loans.min_tenure_days == defaults.min_tenure_days);
    CHECK(example.loans.min_saving_weeks == defaults.min_saving_weeks);
    CHECK(example.loans.score_repaid_days_min == defaults.score_repaid_days_min);
    CHECK(defaults.score_repaid_days_min == storage::ScoreRules{}.repaid_days_min);
    // try-loans.yaml relaxes only who may borrow.
    const Config relaxed = load_config(test::source_dir() / "examples/try-loans.yaml",
                                       no_environment());
    CHECK(relaxed.loans.min_tenure_days == 0);
    CHECK(relaxed.loans.min_saving_weeks == 1);
    CHECK(relaxed.loans.limits.size() == defaults.limits.size());
}

TEST_CASE("who may borrow reads from the loans section and is bounded") {
    const Config config = load_text(
        "loans:\n  min_tenure_days: 14\n  min_saving_weeks: 2\n  score_repaid_days_min: 3\n");
    CHECK(config.loans.min_tenure_days == 14);
    CHECK(config.loans.min_saving_weeks == 2);
    CHECK(config.loans.score_repaid_days_min == 3);
    CHECK_THROWS_AS(load_text("loans:\n  score_repaid_days_min: 366\n"), ConfigError);
    CHECK_THROWS_AS(load_text("loans:\n  min_saving_weeks: 9\n"), ConfigError);
    CHECK_THROWS_AS(load_text("loans:\n  min_tenure_days: -1\n"), ConfigError);
}

TEST_CASE("bad loan settings are refused with the file, line, column and key") {
    // Goal: every error names its place. Method: one mistake per document.
    CHECK(error_of("loans: 3\n").find("hodi.yaml:1:8: loans: expected a mapping") !=
          std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {interest: ten}\n")
              .find(":3:18: loans.products[0].interest: expected a percentage") !=
          std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {interest: 101%}\n").find("interest") !=
          std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {min: \"-5\"}\n")
              .find("loans.products[0].min: expected shillings") != std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {min: \"900\", max: \"800\"}\n")
              .find("loans.products[0].max: must not be below min") != std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {term_days: 0}\n")
              .find("loans.products[0].term_days: expected a whole number") != std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {colour: red}\n")
              .find("loans.products[0].colour: unknown key") != std::string::npos);
    CHECK(error_of("loans:\n  products: []\n").find("loans.products: expected a list") !=
          std::string::npos);
    CHECK(error_of("loans:\n  products:\n    - {name: a}\n    - {name: a}\n")
              .find("loans.products[1].name: a product named 'a'") != std::string::npos);
    CHECK(error_of("loans:\n  limits:\n    - {score: 50, limit: \"1\"}\n"
                   "    - {score: 40, limit: \"2\"}\n")
              .find("loans.limits[1].score: scores must be listed in increasing order") !=
          std::string::npos);
    CHECK(error_of("loans:\n  limits:\n    - {score: 50}\n")
              .find("loans.limits[0].limit: is required") != std::string::npos);
    CHECK(error_of("loans:\n  rates: {}\n").find("loans.rates: unknown key") !=
          std::string::npos);
}

}  // namespace hodi::app
