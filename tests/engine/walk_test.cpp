// Randomised walks over generated menus: whatever is typed, every screen is within budget,
// never empty, CON/END consistent, and a PIN never shows. Replay with HODI_SEED=<seed>.
#include "engine/step.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "engine/gsm7.hpp"
#include "engine/render.hpp"
#include "tests/engine/fixtures.hpp"

namespace hodi::test {
namespace {

constexpr std::size_t walk_nodes = 40;
constexpr std::size_t walk_steps_max = 20000;
constexpr std::string_view walk_pin = "9173";

std::uint64_t walk_seed() {
    if (const char* seed = std::getenv("HODI_SEED"); seed != nullptr && *seed != '\0') {
        return std::strtoull(seed, nullptr, 10);
    }
    return std::random_device{}();
}

class MenuGenerator {
public:
    explicit MenuGenerator(std::mt19937_64& random) : random_(random) {}

    Menu generate() {
        Menu menu;
        menu.root = "n0";
        menu.screen_chars = pick({120, 140, 160, 182, 300});
        for (std::size_t index = 0; index < walk_nodes; ++index) add(menu, index);
        return menu;
    }

private:
    std::size_t below(std::size_t bound) {
        return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
    }
    std::size_t pick(std::initializer_list<std::size_t> values) {
        return *(values.begin() + below(values.size()));
    }
    std::string id() { return "n" + std::to_string(below(walk_nodes)); }

    std::string words(std::size_t count) {
        static const char* vocabulary[] = {"Save", "loan", "{name}", "KES", "{balance}", "{pin}",
                                           "[x]", "\xE2\x82\xAC", "pay", "Akiba", "{phone}",
                                           "Supercalifragilisticexpialidocious"};
        std::string text;
        for (std::size_t word = 0; word < count; ++word) {
            if (!text.empty()) text += below(8) == 0 ? "\n" : " ";
            text += vocabulary[below(std::size(vocabulary))];
        }
        return text.empty() ? "Hi" : text;
    }

    std::size_t length() { return pick({1, 2, 4, 8, 30, 80}); }

    void add(Menu& menu, std::size_t index) {
        const std::string name = "n" + std::to_string(index);
        const bool irreversible = below(6) == 0;
        switch (index == 0 ? 0 : below(5)) {
            case 0: add_list(menu, name, irreversible); return;
            case 1: add_input_node(menu, name, irreversible); return;
            case 2:
                add_action(menu, name, "act." + name, {{"pin", "{pin}"}, {"n", "{name}"}},
                           {{"ok", id()}, {"fail", id()}}, below(2) == 0 ? id() : "",
                           irreversible);
                return;
            case 3: add_end(menu, name, words(length())); return;
            default: add_node(menu, name, LanguageNode{text(words(2)), id()}, irreversible); return;
        }
    }

    void add_list(Menu& menu, const std::string& name, bool irreversible) {
        std::vector<OptionSpec> options;
        const std::size_t count = 1 + below(14);
        for (std::size_t option = 0; option < count; ++option) {
            options.push_back({std::to_string(option + 1), words(length()), id()});
        }
        add_menu(menu, name, words(length()), options, irreversible);
    }

    void add_input_node(Menu& menu, const std::string& name, bool irreversible) {
        static const CheckKind kinds[] = {CheckKind::any, CheckKind::digits, CheckKind::amount,
                                          CheckKind::pin, CheckKind::phone, CheckKind::regex};
        InputCheck check = check_of(kinds[below(std::size(kinds))]);
        check.pattern.emplace("[0-9]+");
        check.max_cents = below(2) == 0 ? 0 : 500000;
        const std::string save = check.kind == CheckKind::pin ? "pin" : "name";
        add_input(menu, name, words(length()), check, save, id(), below(3) != 0, irreversible);
    }

    std::mt19937_64& random_;
};

bool awaits_pin(const Menu& menu, const Session& session) {
    const auto* input = std::get_if<InputNode>(&menu.at(session.node_id).body);
    return input != nullptr && input->check.kind == CheckKind::pin;
}

// A random entry; the walk's PIN only where a PIN is asked for, so finding it anywhere on a
// screen or in a variable means a PIN leaked.
std::string random_entry(const Menu& menu, const Session& session, std::mt19937_64& random) {
    if (awaits_pin(menu, session) && random() % 2 == 0) return std::string(walk_pin);
    static const char* entries[] = {"1", "2", "3", "5", "9", "12", "0", "00", "98", "", "  1 ",
                                    "1234", "0712345678", "1,500", "150.50", "abc", "x y z",
                                    "\xE2\x80\x99", "0201234567", "7"};
    std::uniform_int_distribution<std::size_t> index(0, std::size(entries));
    const std::size_t chosen = index(random);
    if (chosen == std::size(entries)) return std::string(70, '8');
    return entries[chosen];
}

void check_screen(const Menu& menu, const Step& current) {
    if (current.action) return;
    const Screen& screen = current.screen;
    INFO("node " << current.session.node_id << " page " << current.session.page);
    REQUIRE_FALSE(screen.text.empty());
    REQUIRE(engine::gsm7_length(screen.text) <= engine::page_budget(menu));
    REQUIRE(engine::gsm7_length(screen.text) <= engine::screen_chars_hard_max);
    INFO("screen: " << screen.text);
    REQUIRE(screen.text.find(walk_pin) == std::string::npos);
    const Session& session = current.session;
    REQUIRE(session.notice.empty());
    REQUIRE(session.history.size() <= engine::history_depth_max);
    REQUIRE(session.history_floor <= session.history.size());
    for (const auto& [name, value] : session.variables) REQUIRE(value != walk_pin);
    if (!screen.end) {
        const Node& node = menu.at(session.node_id);
        REQUIRE_FALSE(std::holds_alternative<ActionNode>(node.body));
        REQUIRE(session.page < engine::page_count(menu, session));
    }
}

TEST_CASE("random walks over generated menus keep every screen valid") {
    // Goal: no input sequence breaks a screen invariant. Method: seeded random menus and
    // entries; actions answer random outcomes; bounded steps. The seed is printed.
    const std::uint64_t seed = walk_seed();
    std::printf("engine walk seed: %llu (replay with HODI_SEED=%llu)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    INFO("HODI_SEED=" << seed);
    std::mt19937_64 random(seed);
    std::size_t steps = 0;
    std::size_t ends = 0;
    for (int round = 0; round < 20 && steps < walk_steps_max; ++round) {
        MenuGenerator generator(random);
        const Menu menu = generator.generate();
        TimePoint now = start_time;
        Step current = engine::begin(
            menu, engine::new_session(menu, "s", "+254712345678", engine::Language::en, now), now);
        for (std::size_t hop = 0; hop < walk_steps_max / 20; ++hop, ++steps) {
            while (current.action) {
                ActionResult result;
                result.outcome = random() % 3 == 0 ? "fail" : (random() % 5 == 0 ? "odd" : "ok");
                result.outputs = {{"balance", std::to_string(random() % 1000)}};
                REQUIRE(current.action->args.size() == 2);
                current = engine::resume(menu, current.session, result, now);
            }
            check_screen(menu, current);
            if (current.screen.end) {
                ++ends;
                current = engine::begin(menu,
                                        engine::new_session(menu, "s", "+254712345678",
                                                            engine::Language::en, now),
                                        now);
                continue;
            }
            now += std::chrono::seconds(random() % 200 == 0 ? 400 : 3);
            const std::string entry = random_entry(menu, current.session, random);
            current = engine::step(menu, current.session, entry, now);
        }
    }
    CHECK(steps >= walk_steps_max / 2);
    CHECK(ends > 0);
}

}  // namespace
}  // namespace hodi::test
