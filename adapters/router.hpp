// The one HttpHandler the server calls: maps a method and a path pattern such as
// "/daraja/{token}/stk" to a route, and answers 404 and 405 for every channel in one place.
// Each channel registers its routes (add_ussd_routes, add_health_routes, ...).
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http_server.hpp"

namespace hodi::adapters {

inline constexpr std::size_t path_params_max = 4;  // {parameters} in one route pattern

// The {parameters} a path matched, by name. Values are the raw path segments (not
// percent-decoded, never empty); names point into the Router, values into the request, so
// both are valid while the request is.
class PathParams {
public:
    // The segment matched by `{name}`, or "" when the pattern has no such parameter.
    std::string_view get(std::string_view name) const {
        for (std::size_t index = 0; index < size_; ++index) {
            if (items_[index].first == name) return items_[index].second;
        }
        return {};
    }
    std::size_t size() const { return size_; }

    void clear() { size_ = 0; }
    void add(std::string_view name, std::string_view value) {
        items_[size_++] = {name, value};  // the Router never adds more than path_params_max
    }

private:
    std::array<std::pair<std::string_view, std::string_view>, path_params_max> items_{};
    std::size_t size_ = 0;
};

// A route's handler. Bind a named coroutine to what it needs, e.g.
// `std::bind_front(handle_hop, services)`: a capturing coroutine lambda would lose its captures
// at its first suspension (STYLE.md).
using RouteHandler = std::function<net::awaitable<HttpReply>(HttpRequest, PathParams)>;

// Routes requests by method and path. A pattern is '/'-separated segments, each a literal or a
// `{name}` that matches one non-empty segment; the target's query string is ignored. When
// several patterns match a path, the one whose first differing segment is literal wins
// (so "/sms/at/dlr" beats "/sms/at/{token}"), whatever the order they were added in. A path no
// pattern matches gets 404; a matched path without a route for the method gets 405 with an
// Allow header; HEAD is served by the GET route unless HEAD has one of its own (the server
// sends no body for HEAD). Matching is a linear walk over the patterns, allocation-free: fine
// for the dozen routes hodi has.
//
// Thread-safety: add() every route before the server starts; from then on the router is
// read-only and handle() may run on every thread at once.
class Router final : public HttpHandler {
public:
    // Registers `handler` for `method` on `pattern`. Adding a route twice, a pattern not
    // starting with '/', a malformed or repeated {name}, more than path_params_max of them, or
    // two patterns that match the same paths under different names is a bug (it asserts).
    void add(HttpMethod method, std::string_view pattern, RouteHandler handler);

    net::awaitable<HttpReply> handle(HttpRequest request) override;

    struct Segment {
        std::string text;  ///< the literal, or the parameter's name
        bool parameter = false;
    };
    // One pattern and its routes, one slot per HttpMethod (HttpMethod::other has none).
    struct Resource {
        std::string pattern;
        std::vector<Segment> segments;
        std::array<RouteHandler, static_cast<std::size_t>(HttpMethod::other)> routes;
        std::string allow;  ///< the Allow header for a 405, e.g. "GET, HEAD"
    };

private:
    // The resource whose pattern matches `path`, filling `params`; nullptr for none.
    const Resource* match(std::string_view path, PathParams& params) const;

    std::vector<Resource> resources_;  ///< most specific first
};

}  // namespace hodi::adapters
