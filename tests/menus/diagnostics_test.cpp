// Each class of menu mistake is reported once, at the file:line:col where it was made.
#include "menus/loader.hpp"

#include <doctest/doctest.h>

#include "tests/menus/menu_fixtures.hpp"

namespace {

using hodi::test::errors_of;
using Lines = std::vector<std::string>;

TEST_CASE("a YAML syntax error is reported where the parser stopped") {
    // Goal: broken YAML gives one located error, not a crash. Method: an unclosed flow map.
    const Lines errors = errors_of(R"(start: main
nodes:
  main: {kind: end, text: {en: Hi, sw: Habari}
)");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].starts_with("t.yaml:4:1: YAML syntax error: "));
}

TEST_CASE("an unknown node kind is reported at the kind with a suggestion") {
    // Goal: a misspelt kind points at itself. Method: kind 'meun'.
    CHECK(errors_of(R"(start: main
nodes:
  main:
    kind: meun
    title: {en: Hi, sw: Habari}
)") == Lines{"t.yaml:4:11: unknown node kind 'meun' in node 'main' (menu, input, action, end "
             "or language); did you mean 'menu'?"});
}

TEST_CASE("a link to an unknown node suggests the closest node id") {
    // Goal: typos in `next` are caught before serving. Method: next: balanse.
    CHECK(errors_of(R"(start: main
nodes:
  main:
    kind: menu
    title: {en: Hi, sw: Habari}
    options:
      - label: {en: Balance, sw: Salio}
        next: balanse
  balance:
    kind: end
    text: {en: Ok, sw: Sawa}
)") == Lines{"t.yaml:8:15: node 'main' links to unknown node 'balanse'; did you mean "
             "'balance'?"});
}

TEST_CASE("a node id given twice is reported at the second one") {
    // Goal: yaml-cpp keeps both copies of a repeated key; the loader must not pick one
    // silently. Method: define 'bye' twice.
    CHECK(errors_of(R"(start: bye
nodes:
  bye:
    kind: end
    text: {en: Bye, sw: Kwaheri}
  bye:
    kind: end
    text: {en: Bye now, sw: Kwaheri sasa}
)") == Lines{"t.yaml:6:3: duplicate node id 'bye' (first defined at line 3)"});
}

TEST_CASE("a missing or empty translation is reported at its text") {
    // Goal: every text needs en and sw, non-empty. Method: one text lacks sw, one has en "".
    CHECK(errors_of(R"(start: main
nodes:
  main:
    kind: menu
    title: {en: Hi}
    options:
      - label: {en: "", sw: Kwaheri}
        next: main
)") == Lines{"t.yaml:5:12: title of node 'main' has no 'sw' translation",
             "t.yaml:7:21: label of option 1 of node 'main' has no 'en' translation"});
}

TEST_CASE("a title that cannot fit one page with its footer is over budget") {
    // Goal: authors learn at lint time that a screen will not fit. Method: screen_chars 60 and
    // a 40-character title: 40 + 23 for "\n0:Back 00:Home 98:More" > 60. The Swahili footer
    // ("0:Rudi 00:Menu Kuu 98:Zaidi") is longer, and the Swahili title is short enough.
    CHECK(errors_of(R"(start: main
screen_chars: 60
nodes:
  main:
    kind: menu
    title: {en: "This title is exactly forty characters!!", sw: "Karibu"}
    options:
      - label: {en: Again, sw: Tena}
        next: main
)") == Lines{"t.yaml:6:17: title of node 'main' (en) is 40 characters + 23 for navigation; "
             "a screen holds 60"});
}

TEST_CASE("screen_chars above the USSD ceiling is refused") {
    // Goal: no menu may promise more than 182 characters. Method: screen_chars: 200.
    CHECK(errors_of(R"(start: bye
screen_chars: 200
nodes:
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:2:15: screen_chars must be between 40 and 182, not 200"});
}

TEST_CASE("a character outside GSM-7 is named with its code point") {
    // Goal: AT telcos cannot render smart quotes or emoji. Method: a curly apostrophe in sw.
    CHECK(errors_of(R"(start: bye
nodes:
  bye: {kind: end, text: {en: "Bye", sw: "Kwaheri ya kuonana’"}}
)") == Lines{"t.yaml:3:42: character '’' (U+2019) is not in the GSM-7 basic set; AT telcos "
             "cannot show it"});
}

TEST_CASE("an unknown action is reported with the closest known one") {
    // Goal: action names are checked against the catalogue. Method: action: balanse.
    CHECK(errors_of(R"(start: check
nodes:
  check:
    kind: action
    action: balanse
    otherwise: bye
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:5:13: unknown action 'balanse'; did you mean 'balance'?"});
}

TEST_CASE("unknown and missing action parameters are reported") {
    // Goal: args match the action's parameters. Method: 'pn' instead of 'pin'.
    CHECK(errors_of(R"(start: check
nodes:
  check:
    kind: action
    action: balance
    args: {pn: "1234"}
    otherwise: bye
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:6:11: action 'balance' needs parameter 'pin' in node 'check'",
             "t.yaml:6:12: action 'balance' has no parameter 'pn'; did you mean 'pin'?"});
}

TEST_CASE("a choice parameter takes only its listed words") {
    // Goal: literal choice arguments are checked. Method: source: walet.
    CHECK(errors_of(R"(start: save
nodes:
  save:
    kind: action
    action: savings.deposit
    args: {goal: "1", amount: "10", source: walet, pin: "1234"}
    otherwise: bye
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:6:45: parameter 'source' of action 'savings.deposit' takes one of wallet, "
             "mpesa, not 'walet'"});
}

TEST_CASE("a branch for an outcome the action never answers is reported") {
    // Goal: `on:` keys are outcomes of the action. Method: branch 'none' on balance.
    CHECK(errors_of(R"(start: check
nodes:
  check:
    kind: action
    action: balance
    args: {pin: "1234"}
    on: {ok: bye, none: bye}
    otherwise: bye
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:7:19: action 'balance' never answers 'none'; it answers ok, wrong_pin, "
             "locked, error"});
}

TEST_CASE("an action node must lead somewhere for every outcome") {
    // Goal: no outcome leaves the engine without a next node. Method: only `ok` handled.
    CHECK(errors_of(R"(start: check
nodes:
  check:
    kind: action
    action: balance
    args: {pin: "1234"}
    on: {ok: bye}
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:4:5: node 'check' has no branch for wrong_pin, locked, error of action "
             "'balance'; add them under `on:` or set `otherwise:`"});
}

TEST_CASE("clashing option keys are reported") {
    // Goal: every key selects one thing. Method: an explicit key equal to an automatic one,
    // and a key equal to the back key.
    CHECK(errors_of(R"(start: main
nodes:
  main:
    kind: menu
    title: {en: Hi, sw: Habari}
    options:
      - label: {en: One, sw: Moja}
        next: main
      - label: {en: Two, sw: Mbili}
        key: "1"
        next: main
      - label: {en: Back, sw: Rudi}
        key: "0"
        next: main
)") == Lines{"t.yaml:10:14: option key '1' in node 'main' is already used by the option on "
             "line 7",
             "t.yaml:13:14: option key '0' in node 'main' clashes with a navigation key (back 0, "
             "home 00, more 98)"});
}

TEST_CASE("a node not reachable from start is reported at its id") {
    // Goal: dead screens are found. Method: an end node nothing links to.
    CHECK(errors_of(R"(start: bye
nodes:
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
  orphan: {kind: end, text: {en: Lost, sw: Imepotea}}
)") == Lines{"t.yaml:4:3: node 'orphan' is never reached from start 'bye'"});
}

TEST_CASE("an unknown key is reported with the key it was meant to be") {
    // Goal: typos such as `nxt` are not ignored. Method: nxt in an input node.
    CHECK(errors_of(R"(start: ask
nodes:
  ask:
    kind: input
    prompt: {en: Name, sw: Jina}
    save_as: name
    nxt: bye
    next: bye
  bye: {kind: end, text: {en: "Bye {name}", sw: "Kwaheri {name}"}}
)") == Lines{"t.yaml:7:5: unknown key 'nxt' in node 'ask'; did you mean 'next'?"});
}

TEST_CASE("invalid checks are reported: a bad regex and min above max") {
    // Goal: checks that could never pass, or crash, are refused. Method: '(' and 500 > 100.
    CHECK(errors_of(R"(start: code
nodes:
  code:
    kind: input
    prompt: {en: Code, sw: Nambari}
    check: {kind: regex, pattern: "(ab"}
    save_as: code
    next: amount
  amount:
    kind: input
    prompt: {en: Amount, sw: Kiasi}
    check: {kind: amount, min: 500, max: 100}
    save_as: amount
    next: bye
  bye: {kind: end, text: {en: Bye, sw: Kwaheri}}
)") == Lines{"t.yaml:6:35: pattern '(ab' is not a valid regex: Mismatched '(' and ')' in "
             "regular expression",
             "t.yaml:12:32: check min 500 is more than max 100"});
}

TEST_CASE("a template naming an unknown variable is reported") {
    // Goal: `{amout}` would render as nothing; catch it. Method: misspelt variable.
    CHECK(errors_of(R"(start: amount
nodes:
  amount:
    kind: input
    prompt: {en: Amount, sw: Kiasi}
    check: amount
    save_as: amount
    next: bye
  bye: {kind: end, text: {en: "Saved {amout}, {amount_cents}", sw: "Umeweka {amount}"}}
)") == Lines{"t.yaml:9:31: template names unknown variable 'amout'; did you mean 'amount'?"});
}

TEST_CASE("a PIN may be passed to an action but never shown") {
    // Goal: the engine never keeps a PIN for a screen. Method: an end text shows {pin}.
    CHECK(errors_of(R"(start: pin
nodes:
  pin:
    kind: input
    prompt: {en: PIN, sw: PIN}
    check: pin
    save_as: pin
    next: bye
  bye: {kind: end, text: {en: "Your PIN is {pin}", sw: "PIN yako ni {pin}"}}
)") == Lines{"t.yaml:9:31: text shows PIN variable 'pin'; a PIN may only be passed to an action",
             "t.yaml:9:56: text shows PIN variable 'pin'; a PIN may only be passed to an action"});
}

TEST_CASE("every mistake in a file is reported at once, in file order") {
    // Goal: authors fix a file in one pass. Method: five unrelated mistakes, five diagnostics.
    const Lines errors = errors_of(R"(start: main
screen_chars: 190
nodes:
  main:
    kind: menu
    title: {en: Hi}
    options:
      - label: {en: Go, sw: Nenda}
        nxt: bye
        next: bey
  bye:
    kind: end
    text: {en: "Bye {nme}", sw: Kwaheri}
)");
    CHECK(errors == Lines{
                        "t.yaml:2:15: screen_chars must be between 40 and 182, not 190",
                        "t.yaml:6:12: title of node 'main' has no 'sw' translation",
                        "t.yaml:9:9: unknown key 'nxt' in option 1 of node 'main'; did you "
                        "mean 'next'?",
                        "t.yaml:10:15: node 'main' links to unknown node 'bey'; did you mean "
                        "'bye'?",
                        "t.yaml:13:16: template names unknown variable 'nme'",
                    });
}

}  // namespace
