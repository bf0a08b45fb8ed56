// Tests of sim scripts: the line format, and playing a script against a fake gateway.
#include "app/sim_script.hpp"

#include <doctest/doctest.h>

#include <sstream>

using hodi::app::AtRequest;
using hodi::app::HopReply;
using hodi::app::ScriptVerb;

namespace {

// A two-level menu keyed on AT's text, with a PIN check: enough to exercise every directive.
HopReply fake_menu(const AtRequest& request) {
    if (request.text.empty()) return {.screen = "Karibu\n1. Balance\n2. Help"};
    if (request.text == "1") return {.screen = "Enter PIN:"};
    if (request.text == "1*1234") {
        return {.end = true, .screen = "Balance: KES 1,500.00\nPhone " + request.handset->phone};
    }
    if (request.text == "9") return {.error = "HTTP 500 (AT ends the session)"};
    return {.screen = "Invalid choice."};
}

hodi::app::ScriptRun play(std::string_view text, std::string& output) {
    const auto parsed = hodi::app::parse_script(text, "t.sim");
    REQUIRE(parsed.errors.empty());
    std::ostringstream out;
    const hodi::app::Gateway gateway = fake_menu;
    const auto run = hodi::app::run_script(parsed.script, {}, gateway, out);
    output = out.str();
    return run;
}

}  // namespace

TEST_CASE("a script line parses into a directive, its argument and its line number") {
    // Goal: the documented syntax works: comments, quotes, escapes, '#' inside a word.
    // Method: parse a script using each form and inspect the steps.
    const auto parsed = hodi::app::parse_script(
        "# Check a balance\n"
        "\n"
        "code *384*1234#            # a '#' glued to a word is kept\n"
        "dial\n"
        "  expect Karibu   # trailing comment\n"
        "send \"1234\"\n"
        "expect \" two ends \"\n"
        "expect-end \"a\\nb \\\"q\\\" \\\\\"\n"
        "expect-con\n"
        "expect-re ^KES [0-9]+$\n",
        "t.sim");
    REQUIRE(parsed.errors.empty());
    const auto& steps = parsed.script.steps;
    REQUIRE(steps.size() == 8);
    CHECK(steps[0].verb == ScriptVerb::code);
    CHECK(steps[0].argument == "*384*1234#");
    CHECK(steps[0].line == 3);
    CHECK(steps[1].verb == ScriptVerb::dial);
    CHECK(steps[2].argument == "Karibu");
    CHECK(steps[2].line == 5);
    CHECK(steps[3].verb == ScriptVerb::send);
    CHECK(steps[3].argument == "1234");
    CHECK(steps[4].argument == " two ends ");
    CHECK(steps[5].verb == ScriptVerb::expect_end);
    CHECK(steps[5].argument == "a\nb \"q\" \\");
    CHECK(steps[6].verb == ScriptVerb::expect_con);
    CHECK(steps[6].argument.empty());
    CHECK(steps[7].verb == ScriptVerb::expect_regex);
    CHECK(steps[7].argument == "^KES [0-9]+$");
    CHECK(parsed.script.file == "t.sim");
}

TEST_CASE("every malformed line is reported at once with file:line") {
    // Goal: a tester fixes a script in one pass. Method: four bad lines, four errors.
    const auto parsed = hodi::app::parse_script(
        "expect early\n"
        "dial now\n"
        "dial\n"
        "sned 1\n"
        "send\n"
        "expect \"open\n"
        "expect-re (\n",
        "bad.sim");
    REQUIRE(parsed.errors.size() == 6);
    CHECK(parsed.errors[0].starts_with("bad.sim:1: 'dial' must come before"));
    CHECK(parsed.errors[1] == "bad.sim:2: dial takes no argument");
    CHECK(parsed.errors[2] == "bad.sim:4: unknown directive 'sned'");
    CHECK(parsed.errors[3].starts_with("bad.sim:5: send needs an argument"));
    CHECK(parsed.errors[4] == "bad.sim:6: unterminated quoted string");
    CHECK(parsed.errors[5].starts_with("bad.sim:7: bad regex"));
}

TEST_CASE("a script that never dials is rejected") {
    // Goal: an empty script cannot pass silently. Method: comments only.
    const auto parsed = hodi::app::parse_script("# nothing\nphone +254700000000\n", "e.sim");
    REQUIRE(parsed.errors.size() == 1);
    CHECK(parsed.errors[0] == "e.sim: the script never dials");
}

TEST_CASE("a script whose expectations hold passes and says so on one line") {
    // Goal: the happy path counts sessions, hops and checks. Method: fake menu, two sessions,
    // the second from another phone.
    std::string output;
    const auto run = play(
        "dial\nexpect-con Karibu\nsend 1\nexpect PIN\nsend 1234\nexpect-end KES 1,500.00\n"
        "expect-re Balance: KES [0-9,]+\\.00\nexpect-not Invalid\n"
        "phone +254700000001\ndial\nsend 1\nsend 1234\nexpect 254700000001\n",
        output);
    CHECK(run.passed);
    CHECK(run.sessions == 2);
    CHECK(run.hops == 6);
    CHECK(run.checks == 6);
    CHECK(output == "t.sim: passed (2 sessions, 6 hops, 6 checks)\n");
}

TEST_CASE("a failed expectation stops the run and shows file:line, expectation and screen") {
    // Goal: a tester sees where and why. Method: expect text the screen lacks on line 3.
    std::string output;
    const auto run = play("dial\nsend 1\nexpect Salio\nsend 1234\n", output);
    CHECK_FALSE(run.passed);
    CHECK(run.hops == 2);
    CHECK(output.starts_with("t.sim:3: expected the screen to contain \"Salio\""));
    CHECK(output.find("after text \"1\"") != std::string::npos);
    CHECK(output.find("| Enter PIN:") != std::string::npos);
}

TEST_CASE("expecting CON on an END screen, or sending after END, fails") {
    // Goal: session state is checked, not only text. Method: two scripts against the fake.
    std::string output;
    CHECK_FALSE(play("dial\nsend 1\nsend 1234\nexpect-con\n", output).passed);
    CHECK(output.starts_with("t.sim:4: expected the session to continue (CON)"));
    CHECK_FALSE(play("dial\nsend 1\nsend 1234\nsend 1\n", output).passed);
    CHECK(output.starts_with("t.sim:4: send \"1\": the session has ended"));
}

TEST_CASE("a hop AT would treat as failed fails the script at that line") {
    // Goal: server errors are never mistaken for screens. Method: the fake answers 500 to "9".
    std::string output;
    const auto run = play("dial\nsend 9\nexpect anything\n", output);
    CHECK_FALSE(run.passed);
    CHECK(output.starts_with("t.sim:2: hop failed (text \"9\"): HTTP 500"));
}

TEST_CASE("X in a phone becomes a random digit, so each run dials as a new subscriber") {
    // Goal: scripts can register a fresh number every run. Method: `phone +2547XXXXXXXX`, then
    // the fake menu echoes the phone: it must be 13 characters, start +2547 and hold no X.
    std::string output;
    const auto run = play("phone +2547XXXXXXXX\ndial\nsend 1\nsend 1234\n"
                          "expect-re Phone \\+2547[0-9]{8}$\nexpect-not X\n",
                          output);
    CHECK(run.passed);
    CHECK(run.checks == 2);
}

TEST_CASE("pause takes a short duration and refuses a malformed or long one") {
    // Goal: a script can wait for a sandbox M-Pesa leg, but never hang a test run. Method: a
    // 1 ms pause passes; "forever" and 31s fail at their line.
    std::string output;
    CHECK(play("dial\npause 1ms\nexpect Karibu\n", output).passed);
    CHECK_FALSE(play("dial\npause forever\n", output).passed);
    CHECK(output.find("t.sim:2: ") != std::string::npos);
    CHECK(output.find("pause \"forever\"") != std::string::npos);
    CHECK_FALSE(play("dial\npause 31s\n", output).passed);
    CHECK(output.find("up to 30s") != std::string::npos);
}

namespace {

// A sandbox stand-in: one prompt per phone once the phone is held, answers recorded.
class FakeDesk final : public hodi::app::PromptDesk {
public:
    std::string hold(std::string_view phone, bool held) override {
        holds.push_back(std::string(phone) + (held ? " held" : " released"));
        return refuse_hold ? "HTTP 503" : "";
    }
    hodi::app::PromptWait next_prompt(std::string_view phone,
                                      std::chrono::milliseconds) override {
        if (!has_prompt) return {.prompt = std::nullopt, .error = "no M-Pesa prompt came"};
        return {.prompt = hodi::app::StkPrompt{"ws_CO_1",
                                               "Do you want to pay KES 1,000 to HODI SANDBOX? "
                                               "Enter M-PESA PIN (" + std::string(phone) + ")",
                                               1000},
                .error = {}};
    }
    hodi::app::PromptAnswer answer(const std::string& checkout,
                                   const std::optional<std::string>& pin,
                                   std::chrono::milliseconds) override {
        answers.push_back(checkout + " " + pin.value_or("cancel"));
        if (undelivered) return {.result_code = "0", .result_desc = "", .error = "not delivered"};
        return {.result_code = pin ? "0" : "1032", .result_desc = "", .error = {}};
    }

    hodi::app::PayoutWait next_payout(std::string_view, std::chrono::milliseconds) override {
        if (payouts_left == 0) return {.message = std::nullopt, .error = "no payout came"};
        --payouts_left;
        return {.message = "QK1 Confirmed. You have received KES 500.00 from HODI.", .error = {}};
    }

    int payouts_left = 1;
    bool has_prompt = true;
    bool refuse_hold = false;
    bool undelivered = false;
    std::vector<std::string> holds;
    std::vector<std::string> answers;
};

hodi::app::ScriptRun play_with(FakeDesk* desk, std::string_view text, std::string& output) {
    const auto parsed = hodi::app::parse_script(text, "t.sim");
    REQUIRE(parsed.errors.empty());
    std::ostringstream out;
    const hodi::app::Gateway gateway = fake_menu;
    const auto run = hodi::app::run_script(parsed.script, {}, gateway, out, desk);
    output = out.str();
    return run;
}

}  // namespace

TEST_CASE("a script answers the M-Pesa prompt on its phone, held for it while it runs") {
    // Goal: the tester's loop: dial, see the prompt, type the PIN or cancel; the phone is held
    // at the sandbox from the first dial and released at the end. Method: a fake desk.
    FakeDesk desk;
    std::string output;
    const auto run = play_with(&desk,
                               "phone +254700000001\ndial\nexpect-prompt KES 1,000\naccept 0000\n"
                               "dial\nexpect-prompt HODI\ncancel\n",
                               output);
    CHECK_MESSAGE(run.passed, output);
    CHECK(run.checks == 2);
    CHECK(desk.holds ==
          std::vector<std::string>{"+254700000001 held", "+254700000001 released"});
    CHECK(desk.answers == std::vector<std::string>{"ws_CO_1 0000", "ws_CO_1 cancel"});
}

TEST_CASE("a script waits for a payout's confirmation and checks its words") {
    FakeDesk desk;
    desk.payouts_left = 2;
    std::string output;
    CHECK(play_with(&desk, "dial\nexpect-payout KES 500.00\n", output).passed);
    CHECK_FALSE(play_with(&desk, "dial\nexpect-payout KES 600.00\n", output).passed);
    CHECK(output.starts_with("t.sim:2: expected the M-Pesa payout to contain \"KES 600.00\""));
    CHECK_FALSE(play_with(&desk, "dial\nexpect-payout\n", output).passed);
    CHECK(output.starts_with("t.sim:2: expected an M-Pesa payout: no payout came"));
}

TEST_CASE("a prompt that does not come, does not match, or whose result is lost fails its line") {
    FakeDesk desk;
    std::string output;
    CHECK_FALSE(play_with(&desk, "dial\nexpect-prompt KES 2,000\n", output).passed);
    CHECK(output.starts_with("t.sim:2: expected the M-Pesa prompt to contain \"KES 2,000\""));
    CHECK(output.find("| Do you want to pay KES 1,000") != std::string::npos);
    desk.has_prompt = false;
    CHECK_FALSE(play_with(&desk, "dial\nexpect-prompt\n", output).passed);
    CHECK(output.starts_with("t.sim:2: expected an M-Pesa prompt: no M-Pesa prompt came"));
    desk.has_prompt = true;
    desk.undelivered = true;
    CHECK_FALSE(play_with(&desk, "dial\nexpect-prompt\naccept 0000\n", output).passed);
    CHECK(output.starts_with("t.sim:3: answering the M-Pesa prompt: not delivered"));
    desk.refuse_hold = true;
    CHECK_FALSE(play_with(&desk, "dial\nexpect-prompt\n", output).passed);
    CHECK(output.starts_with("t.sim:1: cannot hold the phone at the sandbox Daraja: HTTP 503"));
    CHECK_FALSE(play_with(nullptr, "dial\nexpect-prompt\n", output).passed);
    CHECK(output.find("needs the sandbox Daraja") != std::string::npos);
}

TEST_CASE("accept and cancel need an expect-prompt before them") {
    const auto parsed =
        hodi::app::parse_script("dial\naccept 0000\nexpect-prompt\ncancel\ncancel\n", "t.sim");
    REQUIRE(parsed.errors.size() == 2);
    CHECK(parsed.errors[0] == "t.sim:2: 'expect-prompt' must come before accept or cancel");
    CHECK(parsed.errors[1].starts_with("t.sim:5: "));
    CHECK(parsed.script.uses_prompts);
    CHECK_FALSE(hodi::app::parse_script("dial\naccept\n", "t.sim").errors.empty());
}
