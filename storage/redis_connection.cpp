// The hiredis/Asio connection behind RedisClient; see redis_connection.hpp.
//
// hiredis 0.14 has no event loop of its own: it calls five hooks when it wants read or write
// readiness, and we call redisAsyncHandleRead/Write when the socket is ready. Any of those calls
// may end in hiredis freeing the context (peer closed, protocol error); the cleanup hook tells us,
// so after each call we re-check context_ before touching it again.
#include "storage/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>


namespace hodi::storage {

using boost::system::error_code;

namespace {

std::string endpoint_name(const RedisSettings& settings) {
    return settings.host + ":" + std::to_string(settings.port);
}

}  // namespace

RedisConnection::RedisConnection(net::any_io_executor executor, RedisSettings settings)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      resolver_(executor_),
      connect_timer_(executor_),
      reconnect_timer_(executor_),
      backoff_(settings_.reconnect_backoff_min) {}

RedisConnection::~RedisConnection() {
    // Only reached once no handler holds us; freeing the context fails what is still pending.
    state_ = State::stopped;
    if (context_ != nullptr) redisAsyncFree(context_);
}

void RedisConnection::start() {
    net::post(executor_, [self = shared_from_this()] { self->begin_connect(); });
}

void RedisConnection::stop() {
    net::post(executor_, [self = shared_from_this()] { self->shut_down(); });
}

void RedisConnection::shut_down() {
    state_ = State::stopped;
    connected_.store(false, std::memory_order_release);
    connect_timer_.cancel();
    reconnect_timer_.cancel();
    resolver_.cancel();
    if (context_ != nullptr) redisAsyncFree(context_);
}

void RedisConnection::begin_connect() {
    if (state_ != State::idle) return;
    const std::uint64_t attempt = ++attempt_;
    connect_timer_.expires_after(settings_.connect_timeout);
    connect_timer_.async_wait([self = shared_from_this(), attempt](const error_code& error) {
        if (!error) self->on_connect_timeout(attempt);
    });
    error_code error;
    const auto address = net::ip::make_address_v4(settings_.host, error);
    if (!error) {
        connect_to(address.to_string());
        return;
    }
    // hiredis would resolve a name with a blocking getaddrinfo on this thread; Asio's resolver
    // does it off the network threads.
    state_ = State::resolving;
    resolver_.async_resolve(
        net::ip::tcp::v4(), settings_.host, std::to_string(settings_.port),
        [self = shared_from_this(), attempt](const error_code& resolve_error,
                                             const net::ip::tcp::resolver::results_type& results) {
            self->on_resolved(resolve_error, results, attempt);
        });
}

void RedisConnection::on_resolved(const error_code& error,
                                  const net::ip::tcp::resolver::results_type& results,
                                  std::uint64_t attempt) {
    if (attempt != attempt_ || state_ != State::resolving) return;
    if (error || results.empty()) {
        fail_attempt("cannot resolve " + settings_.host + ": " +
                     (error ? error.message() : std::string("no address")));
        return;
    }
    connect_to(results.begin()->endpoint().address().to_string());
}

void RedisConnection::connect_to(const std::string& address) {
    redisAsyncContext* context = redisAsyncConnect(address.c_str(), settings_.port);
    if (context == nullptr) return fail_attempt("out of memory");
    if (context->err != 0) {
        std::string reason = context->errstr;
        redisAsyncFree(context);
        return fail_attempt(reason);
    }
    socket_.emplace(executor_);
    error_code error;
    socket_->assign(context->c.fd, error);
    if (error) {
        socket_.reset();
        redisAsyncFree(context);
        return fail_attempt("cannot watch the socket: " + error.message());
    }
    context_ = context;
    context->data = this;
    context->ev.data = this;
    context->ev.addRead = &add_read;
    context->ev.delRead = &del_read;
    context->ev.addWrite = &add_write;
    context->ev.delWrite = &del_write;
    context->ev.cleanup = &cleanup;
    want_read_ = want_write_ = read_waiting_ = write_waiting_ = false;
    state_ = State::connecting;
    // Setting the connect callback asks for write readiness, which signals the connect's end.
    redisAsyncSetConnectCallback(context, &on_connected);
}

void RedisConnection::on_connect_timeout(std::uint64_t attempt) {
    if (attempt != attempt_) return;
    if (state_ == State::resolving) {
        resolver_.cancel();
        fail_attempt("resolving " + settings_.host + " timed out");
    } else if (state_ == State::connecting || state_ == State::handshaking) {
        if (!down_logged_) spdlog::warn("redis {}: connect timed out", endpoint_name(settings_));
        down_logged_ = true;
        redisAsyncFree(context_);  // the cleanup hook schedules the next attempt
    }
}

void RedisConnection::on_connected(const redisAsyncContext* context, int status) {
    auto& self = *static_cast<RedisConnection*>(context->data);
    if (status != REDIS_OK) {
        // hiredis frees the context when this returns; the cleanup hook schedules a retry.
        if (!self.down_logged_) {
            spdlog::warn("redis {}: cannot connect: {}", endpoint_name(self.settings_),
                         context->errstr != nullptr ? context->errstr : "unknown error");
        }
        self.down_logged_ = true;
        return;
    }
    self.begin_handshake();
}

void RedisConnection::begin_handshake() {
    state_ = State::handshaking;
    handshake_replies_ = 0;
    if (!settings_.password.empty()) {
        std::vector<const char*> argv{"AUTH"};
        if (!settings_.username.empty()) argv.push_back(settings_.username.c_str());
        argv.push_back(settings_.password.c_str());
        redisAsyncCommandArgv(context_, &on_handshake_reply, this, static_cast<int>(argv.size()),
                              argv.data(), nullptr);
        ++handshake_replies_;
    }
    if (settings_.db != 0) {
        const std::string db = std::to_string(settings_.db);
        std::array<const char*, 2> argv{"SELECT", db.c_str()};
        redisAsyncCommandArgv(context_, &on_handshake_reply, this, 2, argv.data(), nullptr);
        ++handshake_replies_;
    }
    if (handshake_replies_ == 0) become_connected();
}

void RedisConnection::on_handshake_reply(redisAsyncContext* context, void* reply, void* data) {
    auto& self = *static_cast<RedisConnection*>(data);
    // A null reply means the context is being freed; the cleanup hook deals with that.
    if (reply == nullptr || self.state_ != State::handshaking || self.handshake_replies_ < 0) {
        return;
    }
    const auto& answer = *static_cast<const redisReply*>(reply);
    if (answer.type == REDIS_REPLY_ERROR) {
        // Logged once per outage: a wrong password is retried at the backoff pace, quietly.
        if (!self.down_logged_) {
            spdlog::error("redis {}: AUTH/SELECT refused: {}", endpoint_name(self.settings_),
                          std::string_view(answer.str, answer.len));
        }
        self.down_logged_ = true;
        self.handshake_replies_ = -1;  // the replies still to come are moot
        redisAsyncDisconnect(context);  // inside a callback hiredis frees it when we return
        return;
    }
    if (--self.handshake_replies_ == 0) self.become_connected();
}

void RedisConnection::become_connected() {
    state_ = State::connected;
    connected_.store(true, std::memory_order_release);
    backoff_ = settings_.reconnect_backoff_min;
    connect_timer_.cancel();
    if (down_logged_) spdlog::info("redis {}: connected", endpoint_name(settings_));
    down_logged_ = false;
}

void RedisConnection::fail_attempt(const std::string& reason) {
    if (!down_logged_) spdlog::warn("redis {}: {}", endpoint_name(settings_), reason);
    down_logged_ = true;
    state_ = State::idle;
    schedule_reconnect();
}

void RedisConnection::schedule_reconnect() {
    connect_timer_.cancel();
    reconnect_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, settings_.reconnect_backoff_max);
    reconnect_timer_.async_wait([self = shared_from_this()](const error_code& error) {
        if (!error) self->begin_connect();
    });
}

void RedisConnection::on_context_freed() {
    const bool was_connected = state_ == State::connected;
    context_ = nullptr;
    connected_.store(false, std::memory_order_release);
    // hiredis closes the descriptor itself right after this hook, so give it back unclosed;
    // release() also cancels our pending waits.
    if (socket_) {
        socket_->release();
        socket_.reset();
    }
    want_read_ = want_write_ = read_waiting_ = write_waiting_ = false;
    in_flight_ = 0;
    if (state_ == State::stopped) return;
    if (was_connected && !down_logged_) {
        spdlog::warn("redis {}: connection lost; reconnecting", endpoint_name(settings_));
        down_logged_ = true;
    }
    state_ = State::idle;
    schedule_reconnect();
}

}  // namespace hodi::storage
