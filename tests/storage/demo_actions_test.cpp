// DemoActions answers every catalogued action with an outcome and outputs its spec lists.
#include "storage/demo_actions.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "storage/action_catalogue.hpp"

namespace {

using namespace hodi;

// One sealer for the whole file, as a process has.
const storage::SessionSealer& demo_sealer() {
    static const storage::SessionSealer sealer = storage::SessionSealer::random();
    return sealer;
}

engine::ActionResult demo_answer(const engine::ActionRequest& request,
                                 const storage::ActionContext& context) {
    return storage::DemoActions::answer(request, context, demo_sealer());
}

// The proof pin.verify gives the session of `context`.
std::string proof_for(const storage::ActionContext& context) {
    return demo_sealer().pin_verified_proof(context.session_id, context.phone);
}

// Arguments a menu could pass for each parameter type, with the PIN given.
engine::Variables arguments_for(const engine::ActionSpec& spec, const std::string& pin) {
    engine::Variables args;
    for (const engine::ActionParam& param : spec.params) {
        switch (param.type) {
            case engine::ParamType::pin:
                args[param.name] = pin;
                break;
            case engine::ParamType::amount:
                args[param.name] = "500";
                break;
            case engine::ParamType::digits:
                args[param.name] = "1";
                break;
            case engine::ParamType::choice:
                args[param.name] = param.choices.front();
                break;
            case engine::ParamType::phone:
                args[param.name] = "+254712345678";
                break;
            case engine::ParamType::text:
                args[param.name] = "School fees";
                break;
        }
    }
    return args;
}

void check_answer(const engine::ActionSpec& spec, const engine::ActionResult& result) {
    INFO(spec.name << " answered " << result.outcome);
    CHECK(std::find(spec.outcomes.begin(), spec.outcomes.end(), result.outcome) !=
          spec.outcomes.end());
    for (const auto& [name, value] : result.outputs) {
        INFO("output " << name);
        CHECK(std::find(spec.outputs.begin(), spec.outputs.end(), name) != spec.outputs.end());
    }
}

TEST_CASE("demo actions answer every catalogued action with an outcome from its spec") {
    // Goal: the shipped menu never meets an outcome lint did not allow. Method: run every
    // action through the coroutine interface with the right PIN, a wrong one, and Swahili.
    storage::DemoActions runner;
    REQUIRE(runner.specs().size() == storage::builtin_action_specs().size());
    boost::asio::io_context io;
    for (const engine::ActionSpec& spec : runner.specs()) {
        for (const std::string pin : {"1234", "9876"}) {
            for (const auto language : {engine::Language::en, engine::Language::sw}) {
                storage::ActionContext context{"+254712345678", "ATUid_1", language, "r1"};
                auto future = boost::asio::co_spawn(
                    io, runner.run({spec.name, arguments_for(spec, pin)}, context),
                    boost::asio::use_future);
                io.restart();
                io.run();
                check_answer(spec, future.get());
            }
        }
    }
}

TEST_CASE("the demo PIN verifies and any other PIN is refused with tries left") {
    // Goal: the demo walks both PIN paths. Method: balance with 1234, then with 1111.
    const storage::ActionContext context{"+254712345678", "s", engine::Language::en, "r"};
    const auto ok = demo_answer({"balance", {{"pin", "1234"}}}, context);
    CHECK(ok.outcome == "ok");
    CHECK(ok.outputs.at("balance") == "1,250");
    const auto refused = demo_answer({"balance", {{"pin", "1111"}}}, context);
    CHECK(refused.outcome == "wrong_pin");
    CHECK(refused.outputs.at("tries_left") == "2");
}

TEST_CASE("a phone ending in 0000 is unregistered and any other is registered") {
    // Goal: the demo can show the registration flow. Method: look up both kinds of number.
    const auto lookup = [](std::string phone) {
        return demo_answer({"user.lookup", {}}, {std::move(phone), "s", engine::Language::en, "r"});
    };
    CHECK(lookup("+254700000000").outcome == "unregistered");
    CHECK(lookup("+254712345678").outcome == "registered");
}

TEST_CASE("the demo score answers the figures the bank's score answers") {
    // Goal: the demo fills the same screens as the bank. Method: the demo record's outputs.
    const storage::ActionContext swahili{"+254712345678", "s", engine::Language::sw, "r"};
    const engine::ActionResult score =
        demo_answer({"score", {{"verified", proof_for(swahili)}}}, swahili);
    CHECK(score.outcome == "ok");
    CHECK(score.outputs.at("score") == "62");
    CHECK(score.outputs.at("savings") == "25/40");
    CHECK(score.outputs.at("on_time") == "1/1");
    const engine::ActionSpec* spec = storage::find_action_spec("score");
    REQUIRE(spec != nullptr);
    for (const std::string& output : spec->outputs) CHECK(score.outputs.count(output) == 1);
}

TEST_CASE("the demo asks for the PIN once per session, as the bank does") {
    // Goal: the shipped menu walks the same once-per-session PIN on demo data. Method: the
    // private reads and a withdrawal without a proof, with another session's and with this
    // session's; pin.session says which.
    const storage::ActionContext context{"+254712345678", "s", engine::Language::en, "r"};
    const storage::ActionContext other{"+254712345678", "other", engine::Language::en, "r"};
    const std::string proof = proof_for(context);
    for (const char* read : {"savings.list", "loan.limit", "loan.status", "score"}) {
        INFO(read);
        CHECK(demo_answer({read, {}}, context).outcome == "unverified");
        CHECK(demo_answer({read, {{"verified", proof_for(other)}}}, context).outcome ==
              "unverified");
        CHECK(demo_answer({read, {{"verified", proof}}}, context).outcome != "unverified");
    }
    const engine::Variables withdrawal{{"goal", "1"}, {"amount", "100"}};
    CHECK(demo_answer({"savings.withdraw", withdrawal}, context).outcome == "unverified");
    engine::Variables proven = withdrawal;
    proven["verified"] = proof;
    CHECK(demo_answer({"savings.withdraw", proven}, context).outcome == "ok");
    CHECK(demo_answer({"pin.session", {}}, context).outcome == "ask");
    CHECK(demo_answer({"pin.session", {{"verified", proof}}}, context).outcome == "verified");
    CHECK(demo_answer({"pin.session", {{"verified", proof}}}, other).outcome == "ask");
}

TEST_CASE("demo money actions refuse what fixed data cannot cover") {
    // Goal: the failure branches of the menu are reachable. Method: too much, a goal that does
    // not exist, and an M-Pesa source.
    const storage::ActionContext context{"+254712345678", "s", engine::Language::en, "r"};
    auto deposit = [&](std::string goal, std::string amount, std::string source) {
        return demo_answer(
            {"savings.deposit",
             {{"goal", goal}, {"amount", amount}, {"source", source}, {"pin", "1234"}}},
            context);
    };
    CHECK(deposit("1", "500", "wallet").outcome == "ok");
    CHECK(deposit("1", "5000", "wallet").outcome == "insufficient_funds");
    CHECK(deposit("7", "500", "wallet").outcome == "no_goal");
    CHECK(deposit("1", "500", "mpesa").outcome == "pending");
    const auto loan = demo_answer(
        {"loan.apply", {{"amount", "6000"}, {"purpose", "business"}, {"pin", "1234"}}}, context);
    CHECK(loan.outcome == "over_limit");
}

}  // namespace
