// The `loans:` section of the configuration: loan products and the score-to-limit table.
// Amounts are shillings text ("500", "1500.50"), percentages text such as "10%" or "7.5%".
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "app/config.hpp"
#include "storage/bank/money/credit_score.hpp"

namespace hodi::app {

namespace {

using storage::BasisPoints;
using storage::Cents;

constexpr int term_days_max = 3'650;
constexpr int open_loans_max_max = 100;
constexpr int score_max = 100;

struct Place {
    const std::string& file;
    std::string key;  ///< dotted, e.g. "loans.products[0].interest"

    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        const YAML::Mark mark = node.Mark();
        throw ConfigError(file + ":" + std::to_string(mark.line + 1) + ":" +
                          std::to_string(mark.column + 1) + ": " + key + ": " + message);
    }
    Place operator/(const std::string& name) const { return {file, key + "." + name}; }
    Place operator[](std::size_t index) const {
        return {file, key + "[" + std::to_string(index) + "]"};
    }
};

std::string scalar(const YAML::Node& node, const Place& place) {
    if (!node.IsScalar()) place.fail(node, "expected a single value");
    return node.Scalar();
}

Cents shillings(const YAML::Node& node, const Place& place) {
    const std::string text = scalar(node, place);
    const auto cents = storage::parse_shillings(text);
    if (!cents) place.fail(node, "expected shillings such as 500 or 1500.50, got '" + text + "'");
    return *cents;
}

int whole(const YAML::Node& node, const Place& place, int min, int max) {
    const std::string text = scalar(node, place);
    int value = 0;
    const bool digits = !text.empty() && text.size() <= 9 &&
                        std::all_of(text.begin(), text.end(), [](char c) {
                            return c >= '0' && c <= '9';
                        });
    if (digits) value = std::stoi(text);
    if (!digits || value < min || value > max) {
        place.fail(node, "expected a whole number from " + std::to_string(min) + " to " +
                             std::to_string(max) + ", got '" + text + "'");
    }
    return value;
}

// "10%" -> 1000, "7.5%" -> 750, "0.25%" -> 25; at most 100%.
BasisPoints percent(const YAML::Node& node, const Place& place) {
    const std::string text = scalar(node, place);
    const auto refuse = [&] {
        place.fail(node, "expected a percentage from 0% to 100% such as 10% or 7.5%, got '" +
                             text + "'");
    };
    if (text.size() < 2 || text.back() != '%') refuse();
    const std::string number = text.substr(0, text.size() - 1);
    const auto cents = storage::parse_shillings(number);  // the same shape: digits[.dd]
    if (!cents || *cents > storage::basis_points_whole) refuse();
    return static_cast<BasisPoints>(*cents);
}

storage::LoanProduct product(const YAML::Node& node, const Place& place) {
    if (!node.IsMap()) place.fail(node, "expected a mapping (name, min, max, ...)");
    storage::LoanProduct made;
    for (const auto& entry : node) {
        const std::string key = entry.first.as<std::string>();
        const YAML::Node& value = entry.second;
        const Place at = place / key;
        if (key == "name") {
            made.name = scalar(value, at);
            if (made.name.empty()) at.fail(value, "must not be empty");
        } else if (key == "min") {
            made.min = shillings(value, at);
        } else if (key == "max") {
            made.max = shillings(value, at);
        } else if (key == "term_days") {
            made.term_days = whole(value, at, 1, term_days_max);
        } else if (key == "interest") {
            made.interest = percent(value, at);
        } else if (key == "fee") {
            made.fee = shillings(value, at);
        } else if (key == "penalty") {
            made.penalty = percent(value, at);
        } else if (key == "open_loans_max") {
            made.open_loans_max = whole(value, at, 1, open_loans_max_max);
        } else {
            at.fail(entry.first, "unknown key");
        }
    }
    if (made.min <= 0) (place / "min").fail(node, "must be more than 0");
    if (made.max < made.min) (place / "max").fail(node, "must not be below min");
    return made;
}

std::vector<storage::LoanProduct> products(const YAML::Node& node, const Place& place) {
    if (!node.IsSequence() || node.size() == 0) {
        place.fail(node, "expected a list of at least one product");
    }
    std::vector<storage::LoanProduct> made;
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
        made.push_back(product(node[i], place[i]));
        if (!names.insert(made.back().name).second) {
            (place[i] / "name").fail(node[i], "a product named '" + made.back().name +
                                                  "' is already listed");
        }
    }
    return made;
}

std::vector<storage::ScoreLimit> limits(const YAML::Node& node, const Place& place) {
    if (!node.IsSequence() || node.size() == 0) {
        place.fail(node, "expected a list of at least one {score, limit}");
    }
    std::vector<storage::ScoreLimit> made;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node& row = node[i];
        const Place at = place[i];
        if (!row.IsMap()) at.fail(row, "expected a mapping {score, limit}");
        if (!row["score"]) (at / "score").fail(row, "is required");
        if (!row["limit"]) (at / "limit").fail(row, "is required");
        for (const auto& entry : row) {
            const std::string key = entry.first.as<std::string>();
            if (key != "score" && key != "limit") (at / key).fail(entry.first, "unknown key");
        }
        storage::ScoreLimit limit{whole(row["score"], at / "score", 0, score_max),
                                  shillings(row["limit"], at / "limit")};
        if (!made.empty() && limit.score_min <= made.back().score_min) {
            (at / "score").fail(row["score"], "scores must be listed in increasing order");
        }
        made.push_back(limit);
    }
    return made;
}

}  // namespace

void apply_loans_yaml(storage::LoanSettings& loans, const YAML::Node& section,
                      const std::string& file) {
    const Place place{file, "loans"};
    if (!section.IsMap()) place.fail(section, "expected a mapping (products, limits)");
    for (const auto& entry : section) {
        const std::string key = entry.first.as<std::string>();
        if (key == "products") {
            loans.products = products(entry.second, place / key);
        } else if (key == "limits") {
            loans.limits = limits(entry.second, place / key);
        } else if (key == "min_tenure_days") {
            loans.min_tenure_days = whole(entry.second, place / key, 0, 3'650);
        } else if (key == "score_repaid_days_min") {
            loans.score_repaid_days_min = whole(entry.second, place / key, 0, 365);
        } else if (key == "min_saving_weeks") {
            loans.min_saving_weeks =
                whole(entry.second, place / key, 0, storage::score_savings_weeks);
        } else {
            (place / key).fail(entry.first, "unknown key");
        }
    }
}

}  // namespace hodi::app
