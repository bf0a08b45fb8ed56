// The tester's phone behind `hodi sim`: builds Africa's Talking USSD callbacks exactly as AT
// does (PROTOCOLS.md §1.2-§1.4), sends them to a running hodi and reads back CON/END screens.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "adapters/http_client.hpp"

namespace hodi::app {

// Who is dialling what: the fields of an AT callback that stay the same for a whole session.
struct Handset {
    std::string phone = "+254712345678";   ///< E.164; sent as %2B254...
    std::string service_code = "*384*1234#";
    std::string network_code = "99999";    ///< AT's sandbox network, "Athena"
};

// The caller as AT would send it: a Kenyan number in any usual form ("0712...", "254712...")
// becomes E.164 ("+254712..."); anything else is sent unchanged, so testers can still send
// numbers hodi must refuse.
std::string at_phone_number(std::string_view phone);

// One AT session callback, before form encoding.
struct AtRequest {
    std::string session_id;
    const Handset* handset = nullptr;
    std::string text;  ///< every input so far, joined by '*'; empty on the first hop

    // The application/x-www-form-urlencoded body, in AT's field order.
    std::string form() const;
};

// What came back from one hop. AT ends the session "gracefully" on anything but a 200 whose
// body starts "CON " or "END ", so the phone treats all of those as failures too.
struct HopReply {
    std::string error{};   ///< non-empty: the hop failed; says how
    bool end = false;    ///< END: the session is over
    std::string screen{};  ///< body without the CON/END prefix

    bool ok() const { return error.empty(); }
};

// Reads an HTTP answer the way AT does.
HopReply read_hop_reply(int status, std::string_view body);

// "ATUid_" + 32 lowercase hex digits: the shape AT uses (PROTOCOLS.md §1.2).
std::string new_session_id(std::mt19937_64& random);

// One dialled session as AT sees it: a fixed session id and the input accumulated so far.
// AT never removes inputs, so "back" (0) and "home" (00) are appended like any other entry.
// Not thread-safe.
class AtSession {
public:
    AtSession(std::string session_id, const Handset& handset);

    // The request for the first hop (text="").
    AtRequest dial() const;
    // Appends one entry and returns the request carrying the whole text.
    AtRequest send(std::string_view input);

    const std::string& text() const { return text_; }
    std::size_t inputs() const { return inputs_; }

private:
    AtRequest request() const;

    std::string session_id_;
    const Handset* handset_;
    std::string text_;
    std::size_t inputs_ = 0;
};

// Delivers one callback and returns the reply; the real one posts over HTTP, tests fake it.
using Gateway = std::function<HopReply(const AtRequest&)>;

// A Gateway that posts to `url` (http://host:port/target) over one kept-alive connection.
// Not thread-safe. Fails at construction with std::invalid_argument on a malformed URL.
class HttpGateway {
public:
    explicit HttpGateway(std::string_view url);
    HopReply operator()(const AtRequest& request);

private:
    adapters::HttpUrl url_;
    adapters::HttpClient client_;
};

// Draws a screen as a phone would: a framed box, long lines word-wrapped to the phone's width.
std::string frame_screen(std::string_view screen, bool end);
// The same box under any `label` (" END ", " M-PESA ").
std::string frame_box(std::string_view screen, std::string_view label);

}  // namespace hodi::app
