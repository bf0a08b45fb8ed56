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
#include <charconv>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/redis_connection.hpp"
#include "storage/session_store.hpp"

namespace hodi::storage {

using boost::system::error_code;

namespace {

// "*3\r\n" (an array's length) or "$5\r\n" (a bulk string's).
void append_resp_length(std::string& wire, char kind, std::size_t length) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), length).ptr;
    wire.push_back(kind);
    wire.append(digits.data(), end).append("\r\n");
}

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
    // The command in Redis's wire format (RESP: an array of bulk strings), written here into a
    // buffer the connection keeps: hiredis's own formatting builds it through printf-style
    // appends, several times the cost of the rest of a command's trip.
    std::string& wire = wire_buffer_;
    wire.clear();
    append_resp_length(wire, '*', args.size());
    for (const std::string& arg : args) {
        append_resp_length(wire, '$', arg.size());
        wire.append(arg).append("\r\n");
    }
    auto holder = std::make_unique<std::shared_ptr<PendingCommand>>(pending);
    if (redisAsyncFormattedCommand(context_, &on_command_reply, holder.get(), wire.data(),
                                   wire.size()) != REDIS_OK) {
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
    if (reply != nullptr && !pending.lost) {
        pending.replies.push_back(copy_reply(*static_cast<const redisReply*>(reply)));
    } else {
        pending.lost = true;
    }
    if (pending.awaited > 0) --pending.awaited;
    // Wakes the awaiting coroutine (through its executor, never inside this callback) once
    // every reply is in, or one is lost. If it already gave up on a timeout, nothing waits
    // and the replies are simply dropped.
    if (pending.awaited == 0 || pending.lost) pending.timer.cancel();
}

net::awaitable<boost::system::result<std::vector<RedisReply>>> RedisConnection::run_commands(
    std::shared_ptr<RedisConnection> self, std::vector<std::vector<std::string>> commands) {
    RedisConnection& connection = *self;
    if (connection.state_ != State::connected ||
        connection.in_flight_ + commands.size() > connection.settings_.commands_in_flight_max) {
        co_return make_error_code(StoreError::unavailable);
    }
    auto pending = std::make_shared<PendingCommand>(connection.executor_, commands.size());
    for (const std::vector<std::string>& args : commands) {
        // Those already sent still answer into `pending`, which outlives them.
        if (!connection.send(args, pending)) co_return make_error_code(StoreError::unavailable);
    }
    pending->timer.expires_after(connection.settings_.command_timeout);
    co_await pending->timer.async_wait(net::as_tuple(net::use_awaitable));
    // The replies win even if the timer fired at the same moment.
    if (pending->replies.size() == commands.size()) co_return std::move(pending->replies);
    co_return make_error_code(pending->lost ? StoreError::unavailable : StoreError::timeout);
}

}  // namespace hodi::storage
