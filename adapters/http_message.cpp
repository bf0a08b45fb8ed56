// Request-target splitting, lazy query decoding and reply header lines.
#include "adapters/http_message.hpp"

#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

// RFC 9110 §5.6.2: tchar.
bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!is_token_char(c)) return false;
    }
    return true;
}

// Whether the encoded query name `encoded` decodes to `name`. Names without escapes (all that
// hodi's routes ask for) compare in place; only escaped ones are decoded.
bool name_matches(std::string_view encoded, std::string_view name, std::string& scratch) {
    if (encoded.find_first_of("%+") == std::string_view::npos) return encoded == name;
    return form_decode(encoded, scratch) && scratch == name;
}

}  // namespace

std::string_view method_name(HttpMethod method) {
    switch (method) {
        case HttpMethod::get: return "GET";
        case HttpMethod::head: return "HEAD";
        case HttpMethod::post: return "POST";
        case HttpMethod::put: return "PUT";
        case HttpMethod::del: return "DELETE";
        case HttpMethod::other: return "OTHER";
    }
    return "OTHER";
}

void HttpRequest::set_target(std::string_view raw_target) {
    target = raw_target;
    const std::size_t mark = raw_target.find('?');
    path = raw_target.substr(0, mark);
    query_string = mark == std::string_view::npos ? std::string_view{}
                                                  : raw_target.substr(mark + 1);
}

std::optional<std::string> HttpRequest::query(std::string_view name) const {
    std::string scratch;
    std::string_view rest = query_string;
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const std::size_t equals = pair.find('=');
        if (!name_matches(pair.substr(0, equals), name, scratch)) continue;
        std::string value;
        if (equals != std::string_view::npos && !form_decode(pair.substr(equals + 1), value)) {
            return std::nullopt;
        }
        return value;
    }
    return std::nullopt;
}

void HttpReply::add_header(std::string_view name, std::string_view value) {
    HODI_ASSERT(is_token(name));
    HODI_ASSERT(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    headers.reserve(headers.size() + name.size() + value.size() + 4);
    headers.append(name);
    headers.append(": ");
    headers.append(value);
    headers.append("\r\n");
}

}  // namespace hodi::adapters
