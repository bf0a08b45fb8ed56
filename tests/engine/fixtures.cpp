// The bank menu and the Phone driver shared by the engine tests.
#include "tests/engine/fixtures.hpp"

#include <doctest/doctest.h>

namespace hodi::test {

Menu bank_menu() {
    Menu menu;
    menu.name = "bank";
    menu.version = "v1";
    menu.root = "root";
    add_menu(menu, "root", "Welcome to Hodi",
             {{"1", "Balance", "balance"}, {"2", "Send money", "send_to"},
              {"3", "Language", "language"}, {"4", "Long list", "long_list"},
              {"5", "Terms", "terms"}, {"6", "Greeting", "name"}, {"7", "Code", "code"}});
    add_action(menu, "balance", "wallet.balance", {{"phone", "{phone}"}}, {{"ok", "show_balance"}});
    add_menu(menu, "show_balance", "Balance: KES {balance}", {{"1", "Done", "bye"}});
    add_end(menu, "bye", "Thank you.");
    add_input(menu, "send_to", "Enter phone number", check_of(CheckKind::phone), "recipient",
              "send_amount");
    InputCheck amount = check_of(CheckKind::amount);
    amount.min_cents = 1000;
    amount.max_cents = 7000000;
    add_input(menu, "send_amount", "Enter amount", amount, "amount", "send_pin");
    InputCheck pin = check_of(CheckKind::pin);
    add_input(menu, "send_pin", "Send KES {amount} to {recipient}? Enter PIN {pin}", pin, "pin",
              "send", false);
    add_action(menu, "send", "wallet.send",
               {{"to", "{recipient}"}, {"amount", "{amount_cents}"}, {"pin", "{pin}"}},
               {{"ok", "sent"}, {"insufficient", "no_funds"}}, "", true);
    add_menu(menu, "sent", "Sent KES {amount} to {recipient}", {{"1", "Home", "root"}});
    add_end(menu, "no_funds", "Not enough money.");
    add_node(menu, "language", LanguageNode{text("Choose language", "Chagua lugha"), "root"});
    std::vector<OptionSpec> long_options;
    for (int index = 1; index <= 12; ++index) {
        long_options.push_back({std::to_string(index),
                                "Savings goal number " + std::to_string(index) + " details",
                                "bye"});
    }
    add_menu(menu, "long_list", "Pick a goal", long_options);
    std::string terms;
    for (int index = 0; index < 40; ++index) {
        terms += "Terms apply to word" + std::to_string(index) + ' ';
    }
    terms.pop_back();
    add_end(menu, "terms", terms);
    add_input(menu, "name", "Your name?", check_of(CheckKind::any), "name", "greet");
    add_menu(menu, "greet", "Hello {name}, phone {phone}", {{"1", "OK", "bye"}});
    InputCheck code = InputCheck::matching("[A-Z]{2}[0-9]{3}");
    code.error = text("Code looks like AB123.");
    add_input(menu, "code", "Enter code", code, "code", "bye");
    return menu;
}

const Screen& Phone::dial(TimePoint now) {
    now_ = now;
    step_ = engine::begin(menu_,
                          engine::new_session(menu_, "ATUid_test", std::string(owner_phone),
                                              language_, now_),
                          now_);
    return settle();
}

const Screen& Phone::send(std::string_view input) { return send_at(input, now_ + 5s); }

const Screen& Phone::send_at(std::string_view input, TimePoint now) {
    REQUIRE_FALSE(step_.screen.end);
    now_ = now;
    step_ = engine::step(menu_, step_.session, input, now_);
    return settle();
}

const Screen& Phone::settle() {
    for (std::size_t round = 0; step_.action && round < 16; ++round) {
        const ActionResult result = actions(*step_.action);
        step_ = engine::resume(menu_, step_.session, result, now_);
    }
    REQUIRE_FALSE(step_.action.has_value());
    return step_.screen;
}

}  // namespace hodi::test
