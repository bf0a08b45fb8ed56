// Route registration and matching: patterns are split once, at add(); a request walks them.
#include "adapters/router.hpp"

#include <algorithm>

#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

constexpr std::array routed_methods{HttpMethod::get, HttpMethod::head, HttpMethod::post,
                                    HttpMethod::put, HttpMethod::del};

std::size_t slot(HttpMethod method) { return static_cast<std::size_t>(method); }

HttpReply text_reply(int status, std::string body) {
    return HttpReply{.status = status, .content_type = "text/plain", .body = std::move(body)};
}

bool valid_parameter_name(std::string_view name) {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Splits "/daraja/{token}/stk" into its segments. "/" alone is one empty literal segment.
std::vector<Router::Segment> split_pattern(std::string_view pattern) {
    HODI_ASSERT(!pattern.empty() && pattern.front() == '/');
    std::vector<Router::Segment> segments;
    if (pattern == "/") return {Router::Segment{"", false}};
    std::size_t start = 1;
    for (;;) {
        const std::size_t slash = pattern.find('/', start);
        const std::string_view part = pattern.substr(start, slash - start);
        HODI_ASSERT(!part.empty());
        if (part.front() == '{') {
            HODI_ASSERT(part.back() == '}');
            const std::string_view name = part.substr(1, part.size() - 2);
            HODI_ASSERT(valid_parameter_name(name));
            for (const auto& earlier : segments) {
                HODI_ASSERT(!earlier.parameter || earlier.text != name);
            }
            segments.push_back({std::string(name), true});
        } else {
            HODI_ASSERT(part.find_first_of("{}") == std::string_view::npos);
            segments.push_back({std::string(part), false});
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    const auto parameters = std::count_if(segments.begin(), segments.end(),
                                          [](const Router::Segment& s) { return s.parameter; });
    HODI_ASSERT(static_cast<std::size_t>(parameters) <= path_params_max);
    return segments;
}

// Whether `a` is tried before `b`: at the first segment where they differ, a literal goes
// before a parameter. Patterns of different lengths never match the same path; they and
// differing literals are ordered only to keep the order stable. Two patterns neither of which
// goes first have the same shape.
bool goes_before(const Router::Resource& a, const Router::Resource& b) {
    if (a.segments.size() != b.segments.size()) return a.segments.size() < b.segments.size();
    for (std::size_t index = 0; index < a.segments.size(); ++index) {
        const Router::Segment& left = a.segments[index];
        const Router::Segment& right = b.segments[index];
        if (left.parameter != right.parameter) return !left.parameter;
        if (!left.parameter && left.text != right.text) return left.text < right.text;
    }
    return false;
}

std::string allow_header(const Router::Resource& resource) {
    std::string allow;
    for (const HttpMethod method : routed_methods) {
        const bool served = resource.routes[slot(method)] ||
                            (method == HttpMethod::head && resource.routes[slot(HttpMethod::get)]);
        if (!served) continue;
        if (!allow.empty()) allow.append(", ");
        allow.append(method_name(method));
    }
    return allow;
}

// How many segments `path` has ("/" and "/a" one, "/a/b" two).
std::size_t segment_count(std::string_view path) {
    return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

bool matches(const Router::Resource& resource, std::string_view path, PathParams& params) {
    params.clear();
    std::size_t start = 1;
    for (const Router::Segment& segment : resource.segments) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (segment.parameter) {
            if (part.empty()) return false;
            params.add(segment.text, part);
        } else if (part != segment.text) {
            return false;
        }
        start = end + 1;
    }
    return start == path.size() + 1;
}

}  // namespace

void Router::add(HttpMethod method, std::string_view pattern, RouteHandler handler) {
    HODI_ASSERT(method != HttpMethod::other && handler);
    Resource added{std::string(pattern), split_pattern(pattern), {}, {}};
    auto place = std::find_if(resources_.begin(), resources_.end(),
                              [&added](const Resource& r) { return !goes_before(r, added); });
    if (place == resources_.end() || goes_before(added, *place)) {
        place = resources_.insert(place, std::move(added));
    } else {
        // The same shape: the same pattern, or one that differs only in parameter names.
        HODI_ASSERT(place->pattern == pattern);
    }
    HODI_ASSERT(!place->routes[slot(method)]);
    place->routes[slot(method)] = std::move(handler);
    place->allow = allow_header(*place);
}

const Router::Resource* Router::match(std::string_view path, PathParams& params) const {
    if (path.empty() || path.front() != '/') return nullptr;
    const std::size_t segments = segment_count(path);
    for (const Resource& resource : resources_) {
        if (resource.segments.size() == segments && matches(resource, path, params)) {
            return &resource;
        }
    }
    return nullptr;
}

namespace {

// An answer the router gives itself (404, 405): the only routing that needs a frame.
net::awaitable<HttpReply> answer(HttpReply reply) { co_return reply; }

}  // namespace

// Not a coroutine: a matched request goes straight to its route's coroutine, so routing adds
// no frame of its own to every hop.
net::awaitable<HttpReply> Router::handle(HttpRequest request) {
    PathParams params;
    const Resource* resource = match(request.path, params);
    if (resource == nullptr) return answer(text_reply(404, "not found"));
    if (request.matched_route != nullptr) *request.matched_route = resource->pattern;
    const RouteHandler* route = nullptr;
    if (request.method != HttpMethod::other) route = &resource->routes[slot(request.method)];
    if (route != nullptr && !*route && request.method == HttpMethod::head) {
        route = &resource->routes[slot(HttpMethod::get)];
    }
    if (route == nullptr || !*route) {
        HttpReply reply = text_reply(405, "method not allowed");
        reply.add_header("Allow", resource->allow);
        return answer(std::move(reply));
    }
    return (*route)(std::move(request), std::move(params));
}

}  // namespace hodi::adapters
