// Menus built in code for the engine tests, and a phone that drives them hop by hop.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/step.hpp"

namespace hodi::test {

using namespace std::chrono_literals;
using engine::ActionNode;
using engine::ActionRequest;
using engine::ActionResult;
using engine::CheckKind;
using engine::EndNode;
using engine::InputCheck;
using engine::InputNode;
using engine::LanguageNode;
using engine::Menu;
using engine::MenuNode;
using engine::Node;
using engine::Option;
using engine::Screen;
using engine::Session;
using engine::Step;
using engine::Text;
using engine::TimePoint;

inline const TimePoint start_time = TimePoint{} + std::chrono::hours(24 * 365 * 50);
inline constexpr std::string_view owner_phone = "+254712345678";

inline Text text(std::string english, std::string swahili = {}) {
    if (swahili.empty()) swahili = "SW " + english;
    return Text{{std::move(english), std::move(swahili)}};
}

struct OptionSpec {
    std::string key;
    std::string label;
    std::string target;
};

inline void add_node(Menu& menu, std::string id, decltype(Node::body) body,
                     bool irreversible = false) {
    Node node{id, irreversible, std::move(body)};
    menu.nodes.insert_or_assign(std::move(id), std::move(node));
}

inline void add_menu(Menu& menu, std::string id, std::string title,
                     const std::vector<OptionSpec>& options, bool irreversible = false) {
    MenuNode node{text(std::move(title)), {}};
    for (const OptionSpec& option : options) {
        node.options.push_back(Option{option.key, text(option.label), option.target});
    }
    add_node(menu, std::move(id), std::move(node), irreversible);
}

inline void add_input(Menu& menu, std::string id, std::string prompt, InputCheck check,
                      std::string save_as, std::string target, bool navigation = true,
                      bool irreversible = false) {
    add_node(menu, std::move(id),
             InputNode{text(std::move(prompt)), std::move(check), std::move(save_as),
                       std::move(target), navigation},
             irreversible);
}

inline void add_action(Menu& menu, std::string id, std::string action, engine::Variables args,
                       std::map<std::string, std::string, std::less<>> on,
                       std::string otherwise = {}, bool irreversible = false) {
    add_node(menu, std::move(id),
             ActionNode{std::move(action), std::move(args), std::move(on), std::move(otherwise)},
             irreversible);
}

inline void add_end(Menu& menu, std::string id, std::string message) {
    add_node(menu, std::move(id), EndNode{text(std::move(message))});
}

inline InputCheck check_of(CheckKind kind) {
    InputCheck check;
    check.kind = kind;
    return check;
}

// A small bank: balance (action), send money (phone, amount, PIN, irreversible action), a
// language picker, a long list, a long END text, a named greeting and a regex code.
Menu bank_menu();

// Answers every action with `ok` and a balance, and records what was asked.
struct FakeActions {
    std::vector<ActionRequest> requests;
    std::string outcome = "ok";
    engine::Variables outputs{{"balance", "1,234.50"}};

    ActionResult operator()(const ActionRequest& request) {
        requests.push_back(request);
        return ActionResult{outcome, outputs};
    }
};

// One subscriber on one session: dials, types, and has actions answered by `actions`.
class Phone {
public:
    explicit Phone(const Menu& menu, engine::Language language = engine::Language::en)
        : menu_(menu), language_(language) {}

    const Screen& dial(TimePoint now = start_time);
    const Screen& send(std::string_view input);
    const Screen& send_at(std::string_view input, TimePoint now);

    const Session& session() const { return step_.session; }
    const Screen& screen() const { return step_.screen; }
    TimePoint now() const { return now_; }
    FakeActions actions;

private:
    const Screen& settle();

    const Menu& menu_;
    engine::Language language_;
    TimePoint now_ = start_time;
    Step step_;
};

}  // namespace hodi::test
