// Tests of the sim's phone: AT text accumulation, request encoding and reading replies as AT does.
#include "app/sim.hpp"

#include <doctest/doctest.h>

#include <set>

#include "tests/support/vectors.hpp"

using hodi::app::AtSession;
using hodi::app::Handset;

TEST_CASE("inputs accumulate into AT's text joined by '*', starting empty") {
    // Goal: the sim sends `text` exactly as AT does, PROTOCOLS.md §1.3. Method: dial, then
    // inputs 1, 2, 0 give "", "1", "1*2", "1*2*0": back (0) is appended, never removes anything.
    const Handset handset;
    AtSession session("ATUid_0123456789abcdef0123456789abcdef", handset);
    CHECK(session.dial().text.empty());
    CHECK(session.send("1").text == "1");
    CHECK(session.send("2").text == "1*2");
    CHECK(session.send("0").text == "1*2*0");
    CHECK(session.send("00").text == "1*2*0*00");
    CHECK(session.inputs() == 4);
}

TEST_CASE("an empty entry still adds a separator, as the gateway would") {
    // Goal: pressing send on an empty box is visible to hodi. Method: inputs "", "1".
    const Handset handset;
    AtSession session("ATUid_0123456789abcdef0123456789abcdef", handset);
    CHECK(session.send("").text.empty());
    CHECK(session.send("1").text == "*1");
}

TEST_CASE("the sim's form body for a hop is byte for byte AT's") {
    // Goal: hodi cannot tell the sim from AT. Method: rebuild the back-navigation vector's
    // request through AtSession and compare with its body_raw.
    const auto vector = hodi::test::load_vector("at_ussd_back_navigation.json");
    const auto& http = vector.at("http").as_object();
    const auto& body = http.at("body").as_object();
    Handset handset;
    handset.phone = std::string(body.at("phoneNumber").as_string());
    handset.service_code = std::string(body.at("serviceCode").as_string());
    handset.network_code = std::string(body.at("networkCode").as_string());
    AtSession session(std::string(body.at("sessionId").as_string()), handset);
    session.send("1");
    session.send("2");
    const auto request = session.send("0");
    CHECK(request.text == std::string(body.at("text").as_string()));
    CHECK(request.form() == std::string(http.at("body_raw").as_string()));
}

TEST_CASE("session ids have AT's shape and differ between dials") {
    // Goal: ids look like "ATUid_" + 32 hex and never repeat. Method: draw 1000 of them.
    std::mt19937_64 random(42);
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = hodi::app::new_session_id(random);
        REQUIRE(id.size() == 6 + 32);
        CHECK(id.starts_with("ATUid_"));
        CHECK(id.find_first_not_of("0123456789abcdef", 6) == std::string::npos);
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("replies are read as AT reads them: CON continues, END ends, anything else fails") {
    // Goal: the sim flags exactly what AT treats as failure. Method: vectors plus bad replies.
    const auto con = hodi::test::load_vector("at_ussd_response_con.json");
    const std::string con_body(con.at("http").at("body").as_string());
    const auto reply = hodi::app::read_hop_reply(200, con_body);
    CHECK(reply.ok());
    CHECK_FALSE(reply.end);
    CHECK(reply.screen == con_body.substr(4));

    const auto end = hodi::app::read_hop_reply(200, "END Thank you.");
    CHECK(end.ok());
    CHECK(end.end);
    CHECK(end.screen == "Thank you.");

    CHECK_FALSE(hodi::app::read_hop_reply(500, "END x").ok());
    CHECK_FALSE(hodi::app::read_hop_reply(200, "CONTINUE").ok());
    CHECK_FALSE(hodi::app::read_hop_reply(200, "con lowercase").ok());
    CHECK_FALSE(hodi::app::read_hop_reply(200, "").ok());
}

TEST_CASE("a framed screen shows every line and wraps long ones at spaces") {
    // Goal: the terminal phone loses no text. Method: frame a two-line screen with a long line.
    const std::string framed = hodi::app::frame_screen(
        "Karibu hodi\n1. A very long option label that will not fit on one phone line", false);
    CHECK(framed.find("| Karibu hodi") != std::string::npos);
    CHECK(framed.find("| 1. A very long option label that will") != std::string::npos);
    CHECK(framed.find("| not fit on one phone line") != std::string::npos);
    CHECK(framed.find("CON") != std::string::npos);
    CHECK(hodi::app::frame_screen("Bye", true).find("END") != std::string::npos);
}

TEST_CASE("a caller typed in local form is sent in E.164, as AT sends it") {
    // Goal: `--phone 0722000000` reaches hodi as %2B254722000000. Method: usual Kenyan forms,
    // and a non-Kenyan string that must pass through untouched.
    CHECK(hodi::app::at_phone_number("0722000000") == "+254722000000");
    CHECK(hodi::app::at_phone_number("254722000000") == "+254722000000");
    CHECK(hodi::app::at_phone_number("+254722000000") == "+254722000000");
    CHECK(hodi::app::at_phone_number("not a phone") == "not a phone");
}
