// AT callbacks built and read the way Africa's Talking does; see sim.hpp.
#include "app/sim.hpp"

#include <stdexcept>
#include <vector>

#include "engine/phone.hpp"

namespace hodi::app {

namespace {

// A phone screen is narrow; 40 columns is wide enough for a menu line and keeps the box honest.
constexpr std::size_t phone_columns = 40;

// Splits one screen line into pieces of at most `width` characters, breaking at spaces when it
// can (as a handset does) and mid-word only when a word is longer than the screen.
std::vector<std::string_view> wrap_line(std::string_view line, std::size_t width) {
    std::vector<std::string_view> pieces;
    while (line.size() > width) {
        std::size_t cut = line.rfind(' ', width);
        if (cut == std::string_view::npos || cut == 0) cut = width;
        pieces.push_back(line.substr(0, cut));
        line.remove_prefix(cut);
        if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
    pieces.push_back(line);
    return pieces;
}

}  // namespace

std::string at_phone_number(std::string_view phone) {
    const auto msisdn = engine::normalise_msisdn(phone);
    return msisdn ? msisdn->e164() : std::string(phone);
}

std::string AtRequest::form() const {
    return adapters::form_encode({{"sessionId", session_id},
                                  {"serviceCode", handset->service_code},
                                  {"phoneNumber", handset->phone},
                                  {"networkCode", handset->network_code},
                                  {"text", text}});
}

HopReply read_hop_reply(int status, std::string_view body) {
    HopReply reply;
    if (status != 200) {
        reply.error = "HTTP " + std::to_string(status) + " (AT ends the session)";
        if (!body.empty()) reply.error += ": " + std::string(body.substr(0, 200));
        return reply;
    }
    if (body.starts_with("CON ")) {
        reply.end = false;
    } else if (body.starts_with("END ")) {
        reply.end = true;
    } else {
        reply.error = "reply does not start with \"CON \" or \"END \" (AT ends the session): \"" +
                      std::string(body.substr(0, 60)) + "\"";
        return reply;
    }
    reply.screen = std::string(body.substr(4));
    return reply;
}

std::string new_session_id(std::mt19937_64& random) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "ATUid_";
    for (int half = 0; half < 2; ++half) {
        std::uint64_t bits = random();
        for (int i = 0; i < 16; ++i, bits >>= 4) id += hex[bits & 0x0F];
    }
    return id;
}

AtSession::AtSession(std::string session_id, const Handset& handset)
    : session_id_(std::move(session_id)), handset_(&handset) {}

AtRequest AtSession::request() const { return AtRequest{session_id_, handset_, text_}; }

AtRequest AtSession::dial() const { return AtRequest{session_id_, handset_, {}}; }

AtRequest AtSession::send(std::string_view input) {
    if (inputs_ > 0) text_ += '*';
    text_ += input;
    ++inputs_;
    return request();
}

HttpGateway::HttpGateway(std::string_view url)
    : url_([url] {
          auto parsed = adapters::parse_http_url(url);
          if (!parsed) throw std::invalid_argument("not an http:// URL: " + std::string(url));
          return *parsed;
      }()),
      client_(url_.host, url_.port) {}

HopReply HttpGateway::operator()(const AtRequest& request) {
    const auto response = client_.post_form(url_.target, request.form());
    if (!response) {
        HopReply reply;
        reply.error = "cannot reach " + url_.host + ":" + std::to_string(url_.port) + ": " +
                      response.error().message();
        return reply;
    }
    return read_hop_reply(response->status, response->body);
}

std::string frame_screen(std::string_view screen, bool end) {
    return frame_box(screen, end ? " END " : " CON ");
}

std::string frame_box(std::string_view screen, std::string_view label) {
    std::vector<std::string_view> lines;
    std::size_t width = 20;
    for (std::size_t start = 0;;) {
        const std::size_t newline = screen.find('\n', start);
        const auto line = screen.substr(start, newline == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : newline - start);
        for (const auto piece : wrap_line(line, phone_columns)) {
            lines.push_back(piece);
            width = std::max(width, piece.size());
        }
        if (newline == std::string_view::npos) break;
        start = newline + 1;
    }
    width = std::max(width, label.size());
    std::string out =
        "+-" + std::string(label) + std::string(width - label.size() + 1, '-') + "+\n";
    for (const auto line : lines) {
        out += "| ";
        out += line;
        out += std::string(width - line.size(), ' ');
        out += " |\n";
    }
    out += "+" + std::string(width + 2, '-') + "+\n";
    return out;
}

}  // namespace hodi::app
