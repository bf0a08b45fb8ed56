// What the server reads and writes on the wire, apart from the connection loop: the reply's head,
// the handler's view of a parsed request, which requests are refused before a handler sees them
// (size limits, malformed or ambiguous framing). Internal to adapters/: only http_server.cpp
// includes it, so Beast stays out of every other file.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "adapters/http_server.hpp"

namespace hodi::adapters::http_wire {

using Message = boost::beast::http::request<boost::beast::http::string_body>;
using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Writes the status line and the few headers we send into `head`, reusing its capacity.
void format_head(std::string& head, const HttpReply& reply, unsigned version, bool keep_alive);

// The handler's view of a parsed request. Cheap: views into `message`, no allocation. The
// client is the peer, or what a trusted proxy named (HttpServerSettings::client_header).
HttpRequest make_request(Message& message, const boost::asio::ip::tcp::endpoint& peer,
                         const HttpServerSettings& settings);

// A reply that closes the connection after it.
HttpReply error_reply(int status, std::string body);

// The reply to a request that could not be read, or nullopt when the peer is gone or too slow
// (then there is nobody to answer).
std::optional<HttpReply> read_failure_reply(const boost::system::error_code& ec,
                                            const HttpServerSettings& settings);

// A request whose body length is not plainly given (RFC 9112 §6.1): Transfer-Encoding other
// than one "chunked", or beside a Content-Length. Framing it by its length would let a request
// smuggled behind it through, so it is refused (400) and the connection closed. Checked once
// the header is parsed, before any body is read.
boost::system::error_code framing_error(const Parser& parser);

// Writes the access log line of one answered request (HttpServerSettings::access_log).
void log_access(HttpServerSettings::AccessLog format, const boost::asio::ip::address& client,
                std::string_view method, std::string_view route, int status,
                std::chrono::steady_clock::duration took);

}  // namespace hodi::adapters::http_wire
