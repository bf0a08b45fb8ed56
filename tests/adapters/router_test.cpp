// The Router behind a real loopback server: path parameters, literal-over-parameter matching,
// 404, 405 with Allow, HEAD, and what a route sees of the request (query, headers, peer).
#include "adapters/router.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "adapters/http_client.hpp"
#include "tests/adapters/raw_http.hpp"
#include "tests/adapters/ussd_fixture.hpp"

namespace hodi::test {

namespace {

using adapters::HttpMethod;
using adapters::HttpReply;
using adapters::HttpRequest;
using adapters::PathParams;
using namespace std::chrono_literals;

HttpReply text(std::string body) { return HttpReply{.body = std::move(body)}; }

net::awaitable<HttpReply> show_thing(HttpRequest request, PathParams params) {
    (void)request;
    co_return text("thing " + std::string(params.get("id")) + " of " +
                   std::to_string(params.size()));
}

net::awaitable<HttpReply> delete_thing(HttpRequest request, PathParams params) {
    (void)request;
    co_return text("deleted " + std::string(params.get("id")));
}

net::awaitable<HttpReply> show_token(HttpRequest request, PathParams params) {
    (void)request;
    co_return text("token " + std::string(params.get("token")) + " kind " +
                   std::string(params.get("kind")) + " absent '" +
                   std::string(params.get("absent")) + "'");
}

net::awaitable<HttpReply> show_literal(HttpRequest request, PathParams params) {
    (void)request;
    co_return text("literal dlr, " + std::to_string(params.size()) + " params");
}

net::awaitable<HttpReply> show_query(HttpRequest request, PathParams params) {
    (void)params;
    const auto shown = [&request](std::string_view name) {
        return request.query(name).value_or("<none>");
    };
    co_return text(shown("q") + "|" + shown("empty") + "|" + shown("bad") + "|" +
                   shown("missing") + "|" + std::string(request.path));
}

net::awaitable<HttpReply> show_headers(HttpRequest request, PathParams params) {
    (void)params;
    co_return text(std::string(request.header("authorization")) + "|" +
                   std::string(request.header("X-CALLBACK-ID")) + "|" +
                   (request.has_header("X-Absent") ? "present" : "absent"));
}

net::awaitable<HttpReply> show_peer(HttpRequest request, PathParams params) {
    (void)params;
    co_return text(request.peer.address().to_string() + ":" +
                   std::to_string(request.peer.port()));
}

// The routes every test below serves. The parameter route is added before the literal one,
// so the literal winning shows that order of registration does not decide.
std::shared_ptr<adapters::Router> make_router() {
    auto router = std::make_shared<adapters::Router>();
    router->add(HttpMethod::get, "/things/{id}", show_thing);
    router->add(HttpMethod::del, "/things/{id}", delete_thing);
    router->add(HttpMethod::post, "/daraja/{token}/{kind}", show_token);
    router->add(HttpMethod::get, "/sms/at/{token}", show_token);
    router->add(HttpMethod::get, "/sms/at/dlr", show_literal);
    router->add(HttpMethod::get, "/query", show_query);
    router->add(HttpMethod::get, "/headers", show_headers);
    router->add(HttpMethod::get, "/peer", show_peer);
    return router;
}

// One request on its own connection, closed after the reply so the exchange ends at once.
RawExchange send_raw(std::uint16_t port, std::string_view method, std::string_view target,
                     std::string_view extra_headers = "") {
    const std::string request = std::string(method) + " " + std::string(target) +
                                " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" +
                                std::string(extra_headers) + "Connection: close\r\n\r\n";
    const RawExchange exchange = raw_exchange(port, request, 3000ms);
    CHECK(exchange.closed);
    return exchange;
}

}  // namespace

TEST_CASE("a route receives the path parameters it matched") {
    // Goal: {parameters} bind one segment each, by name. Method: GET and POST paths with one
    // and two parameters, one with a query string that must not leak into the parameter.
    TestServer server(make_router());
    adapters::HttpClient client("127.0.0.1", server.port());
    CHECK(client.get("/things/42")->body == "thing 42 of 1");
    CHECK(client.get("/things/42?colour=red")->body == "thing 42 of 1");
    CHECK(client.request("DELETE", "/things/7", "text/plain", "")->body == "deleted 7");
    CHECK(client.request("POST", "/daraja/s3cret/stk", "application/json", "{}")->body ==
          "token s3cret kind stk absent ''");
}

TEST_CASE("a literal segment wins over a parameter whatever the order of registration") {
    // Goal: "/sms/at/dlr" is not taken for a token. Method: the parameter route was added first.
    TestServer server(make_router());
    adapters::HttpClient client("127.0.0.1", server.port());
    CHECK(client.get("/sms/at/dlr")->body == "literal dlr, 0 params");
    CHECK(client.get("/sms/at/abc")->body == "token abc kind  absent ''");
}

TEST_CASE("a path no pattern matches is answered 404") {
    // Goal: near misses do not match: missing, empty or extra segments, a trailing slash.
    TestServer server(make_router());
    adapters::HttpClient client("127.0.0.1", server.port());
    for (const std::string_view target :
         {"/nowhere", "/things", "/things/", "/things/1/2", "/query/", "//things/1", "/"}) {
        CAPTURE(target);
        const auto response = client.get(target);
        REQUIRE(response.has_value());
        CHECK(response->status == 404);
        CHECK(response->body == "not found");
    }
}

TEST_CASE("a matched path with the wrong method is answered 405 with Allow") {
    // Goal: the client learns which methods the path takes (RFC 9110 §15.5.6). Method: raw
    // exchanges, to see the Allow header; HEAD is allowed wherever GET is.
    TestServer server(make_router());
    const RawExchange post = send_raw(server.port(), "POST", "/things/1");
    CHECK(post.received.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    CHECK(post.received.find("\r\nAllow: GET, HEAD, DELETE\r\n") != std::string::npos);
    CHECK(raw_body(post.received) == "method not allowed");
    const RawExchange get = send_raw(server.port(), "GET", "/daraja/t/stk");
    CHECK(get.received.starts_with("HTTP/1.1 405 "));
    CHECK(get.received.find("\r\nAllow: POST\r\n") != std::string::npos);
    const RawExchange options = send_raw(server.port(), "OPTIONS", "/sms/at/dlr");
    CHECK(options.received.starts_with("HTTP/1.1 405 "));
    CHECK(options.received.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
}

TEST_CASE("HEAD is served by the GET route, without a body") {
    // Goal: HEAD answers what GET would, headers only. Method: a raw HEAD; the Content-Length
    // is GET's and nothing follows the blank line. HEAD where only POST is routed is a 405.
    TestServer server(make_router());
    const RawExchange head = send_raw(server.port(), "HEAD", "/things/7");
    CHECK(head.received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(head.received.find("\r\nContent-Length: 12\r\n") != std::string::npos);
    CHECK(head.received.ends_with("\r\n\r\n"));
    const RawExchange refused = send_raw(server.port(), "HEAD", "/daraja/t/stk");
    CHECK(refused.received.starts_with("HTTP/1.1 405 "));
}

TEST_CASE("a route reads decoded query parameters") {
    // Goal: '+', %XX and repeats decode as in a form; absent and malformed read as absent; the
    // path excludes the query. Method: one GET with each case.
    TestServer server(make_router());
    adapters::HttpClient client("127.0.0.1", server.port());
    const auto response = client.get("/query?q=a%2Bb+c%26d&empty&bad=%zz&q=second");
    REQUIRE(response.has_value());
    CHECK(response->body == "a+b c&d||<none>|<none>|/query");
}

TEST_CASE("a request's target splits into path and query, and query names decode") {
    // Goal: the parts a route reads are right without a server. Method: set_target on plain
    // values; an escaped name still finds its parameter; query_form reports malformed escapes.
    adapters::HttpRequest request;
    request.set_target("/sms/at?%74oken=x%20y&a=1");
    CHECK(request.path == "/sms/at");
    CHECK(request.query_string == "%74oken=x%20y&a=1");
    CHECK(request.query("token") == "x y");
    CHECK(request.query("a") == "1");
    CHECK_FALSE(request.query("b").has_value());
    REQUIRE(request.query_form().has_value());
    CHECK(request.query_form()->size() == 2);
    request.set_target("/plain");
    CHECK(request.path == "/plain");
    CHECK(request.query_string.empty());
    CHECK_FALSE(request.query("a").has_value());
    request.set_target("/x?a=%zz");
    CHECK_FALSE(request.query_form().has_value());
    CHECK(request.header("Authorization").empty());
}

TEST_CASE("header lookup ignores the case of the name") {
    // Goal: "Authorization" finds "authorization: ..." (names are case-insensitive). Method: a
    // raw request with oddly cased names; the route asks in other cases.
    TestServer server(make_router());
    const RawExchange exchange =
        send_raw(server.port(), "GET", "/headers",
                 "authorization: Bearer abc.def\r\nx-Callback-Id: 7\r\n");
    CHECK(exchange.received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(raw_body(exchange.received) == "Bearer abc.def|7|absent");
}

TEST_CASE("a route sees the peer address of the connection") {
    // Goal: a route can check where a callback came from. Method: the route echoes the peer;
    // it must be the loopback address and the client socket's own port.
    TestServer server(make_router());
    const RawExchange exchange = send_raw(server.port(), "GET", "/peer");
    REQUIRE(exchange.local_port != 0);
    CHECK(raw_body(exchange.received) == "127.0.0.1:" + std::to_string(exchange.local_port));
}

}  // namespace hodi::test
