// The I/O half of RedisConnection: hiredis's readiness hooks on an Asio descriptor, and the
// commands with their timeouts. The state machine is in redis_connection.cpp.
//
// The hooks follow hiredis's contract (idempotent add/del): want_* records what hiredis asks
// for, *_waiting_ whether an async_wait is already pending, and a wait that completes re-arms
// itself while hiredis still wants it. Asio's epoll reactor re-checks readiness whenever a wait
// is queued, so readiness that arrived between two waits is not lost.
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/redis_connection.hpp"
#include "storage/session_store.hpp"

namespace hodi::storage {

using boost::system::error_code;

namespace {

// Commands with at most this many arguments pass them to hiredis without allocating.
constexpr std::size_t inline_args_max = 8;

RedisReply copy_reply(const redisReply& reply) {
    RedisReply out;
    switch (reply.type) {
        case REDIS_REPLY_STATUS: out.type = RedisReply::Type::status; break;
        case REDIS_REPLY_ERROR: out.type = RedisReply::Type::error; break;
        case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::integer; break;
        case REDIS_REPLY_STRING: out.type = RedisReply::Type::string; break;
        case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::array; break;
        default: out.type = RedisReply::Type::nil; break;
    }
    if (reply.type == REDIS_REPLY_INTEGER) out.integer = reply.integer;
    if (reply.str != nullptr) out.text.assign(reply.str, reply.len);
    if (reply.type == REDIS_REPLY_ARRAY) {
        out.elements.reserve(reply.elements);
        for (std::size_t index = 0; index < reply.elements; ++index) {
            out.elements.push_back(copy_reply(*reply.element[index]));
        }
    }
    return out;
}

}  // namespace

void RedisConnection::add_read(void* data) { static_cast<RedisConnection*>(data)->watch_read(); }

void RedisConnection::del_read(void* data) {
    static_cast<RedisConnection*>(data)->want_read_ = false;
}

void RedisConnection::add_write(void* data) {
    static_cast<RedisConnection*>(data)->watch_write();
}

void RedisConnection::del_write(void* data) {
    static_cast<RedisConnection*>(data)->want_write_ = false;
}

void RedisConnection::cleanup(void* data) {
    static_cast<RedisConnection*>(data)->on_context_freed();
}

void RedisConnection::watch_read() {
    want_read_ = true;
    if (read_waiting_ || !socket_) return;
    read_waiting_ = true;
    socket_->async_wait(net::posix::descriptor_base::wait_read,
                        [self = shared_from_this(), attempt = attempt_](const error_code& error) {
                            self->on_readable(error, attempt);
                        });
}

void RedisConnection::watch_write() {
    want_write_ = true;
    if (write_waiting_ || !socket_) return;
    write_waiting_ = true;
    socket_->async_wait(net::posix::descriptor_base::wait_write,
                        [self = shared_from_this(), attempt = attempt_](const error_code& error) {
                            self->on_writable(error, attempt);
                        });
}

void RedisConnection::on_readable(const error_code& error, std::uint64_t attempt) {
    // A wait from an earlier connection: its socket is gone, and so are its flags.
    if (attempt != attempt_) return;
    read_waiting_ = false;
    if (error == net::error::operation_aborted || context_ == nullptr || !want_read_) return;
    // On a socket error hiredis's own read fails too and it tears the context down.
    redisAsyncHandleRead(context_);
    if (context_ != nullptr && want_read_) watch_read();
}

void RedisConnection::on_writable(const error_code& error, std::uint64_t attempt) {
    if (attempt != attempt_) return;
    write_waiting_ = false;
    if (error == net::error::operation_aborted || context_ == nullptr || !want_write_) return;
    redisAsyncHandleWrite(context_);
    if (context_ != nullptr && want_write_) watch_write();
}

bool RedisConnection::send(const std::vector<std::string>& args,
                           const std::shared_ptr<PendingCommand>& pending) {
    std::array<const char*, inline_args_max> inline_argv{};
    std::array<std::size_t, inline_args_max> inline_sizes{};
    std::vector<const char*> heap_argv;
    std::vector<std::size_t> heap_sizes;
    const char** argv = inline_argv.data();
    std::size_t* sizes = inline_sizes.data();
    if (args.size() > inline_args_max) {
        heap_argv.resize(args.size());
        heap_sizes.resize(args.size());
        argv = heap_argv.data();
        sizes = heap_sizes.data();
    }
    for (std::size_t index = 0; index < args.size(); ++index) {
        argv[index] = args[index].data();
        sizes[index] = args[index].size();
    }
    auto holder = std::make_unique<std::shared_ptr<PendingCommand>>(pending);
    if (redisAsyncCommandArgv(context_, &on_command_reply, holder.get(),
                              static_cast<int>(args.size()), argv, sizes) != REDIS_OK) {
        return false;
    }
    holder.release();  // hiredis owns it now and hands it back to on_command_reply
    ++in_flight_;
    return true;
}

void RedisConnection::on_command_reply(redisAsyncContext* context, void* reply, void* data) {
    const std::unique_ptr<std::shared_ptr<PendingCommand>> holder(
        static_cast<std::shared_ptr<PendingCommand>*>(data));
    auto& self = *static_cast<RedisConnection*>(context->data);
    if (self.in_flight_ > 0) --self.in_flight_;
    PendingCommand& pending = **holder;
    if (reply != nullptr) {
        pending.reply = copy_reply(*static_cast<const redisReply*>(reply));
    } else {
        pending.lost = true;
    }
    // Wakes the awaiting coroutine (through the strand, never inside this callback). If it
    // already gave up on a timeout, nothing waits and the reply is simply dropped.
    pending.timer.cancel();
}

net::awaitable<boost::system::result<RedisReply>> RedisConnection::run_command(
    std::shared_ptr<RedisConnection> self, std::vector<std::string> args) {
    RedisConnection& connection = *self;
    if (connection.state_ != State::connected ||
        connection.in_flight_ >= connection.settings_.commands_in_flight_max) {
        co_return make_error_code(StoreError::unavailable);
    }
    auto pending = std::make_shared<PendingCommand>(connection.strand_);
    if (!connection.send(args, pending)) co_return make_error_code(StoreError::unavailable);
    pending->timer.expires_after(connection.settings_.command_timeout);
    co_await pending->timer.async_wait(net::as_tuple(net::use_awaitable));
    // The reply wins even if the timer fired at the same moment.
    if (pending->reply) co_return std::move(*pending->reply);
    co_return make_error_code(pending->lost ? StoreError::unavailable : StoreError::timeout);
}

}  // namespace hodi::storage
