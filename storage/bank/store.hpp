// The SQLite store: one writer (group commit) and a pool of reader connections, awaited from
// coroutines on the network threads or called blocking from commands, tests and benches.
#pragma once

#include <SQLiteCpp/Database.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/result.hpp>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/bank/bank_error.hpp"
#include "storage/bank/writer.hpp"

namespace hodi::storage {

namespace net = boost::asio;

struct StoreSettings {
    std::filesystem::path path = "var/hodi.db";  ///< created with its folder when missing
    std::size_t readers = 2;                      ///< reader connections (and threads)
};

// A unit of work on one connection. For writes it runs inside the batch transaction, in its own
// savepoint: returning an error rolls back everything it did. For reads it runs inside one read
// transaction, so it sees a single snapshot.
template <class T>
using DbFn = std::function<boost::system::result<T>(SQLite::Database&)>;

// Thread-safe. Destroying the store finishes every submitted write first.
class Store {
public:
    // Opens or creates the database, migrates it, starts the writer. Fails with schema_too_new
    // for a database from a newer hodi, store_failed for anything SQLite refuses (logged).
    static boost::system::result<std::unique_ptr<Store>> open(StoreSettings settings);
    ~Store();

    template <class T>
    net::awaitable<boost::system::result<T>> write(DbFn<T> fn);
    template <class T>
    net::awaitable<boost::system::result<T>> read(DbFn<T> fn);

    // Blocking forms, for commands, tests and benches: never call them on the writer thread.
    template <class T>
    boost::system::result<T> write_now(DbFn<T> fn);
    template <class T>
    boost::system::result<T> read_now(DbFn<T> fn);

    template <class T>
    void submit_write(DbFn<T> fn, std::function<void(boost::system::result<T>)> done);
    template <class T>
    void submit_read(DbFn<T> fn, std::function<void(boost::system::result<T>)> done);

    WriterStats writer_stats() const { return writer_->stats(); }
    const std::filesystem::path& path() const { return settings_.path; }

private:
    Store(StoreSettings settings, std::unique_ptr<SQLite::Database> write_connection);
    // Runs fn inside a read transaction on a pooled connection; exceptions become store_failed.
    bool run_read(const std::function<void(SQLite::Database&)>& fn);

    StoreSettings settings_;
    std::unique_ptr<Writer> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SQLite::Database>> idle_readers_;
    net::thread_pool read_pool_;
};

namespace detail {

// An error result; spelled out because result<bool> would take an error_code as a bool.
template <class T>
boost::system::result<T> failure(BankError error) {
    return boost::system::result<T>(boost::system::in_place_error, make_error_code(error));
}

// Completes an awaiting coroutine on its own executor; keeps that executor's context alive
// until then.
template <class T>
struct StoreInitiation {
    Store* store;
    bool write;

    template <class Handler>
    void operator()(Handler&& handler, DbFn<T> fn) const {
        auto shared = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
        auto executor = net::prefer(net::get_associated_executor(*shared),
                                    net::execution::outstanding_work.tracked);
        auto done = [shared, executor](boost::system::result<T> outcome) {
            net::post(executor, [shared, outcome = std::move(outcome)]() mutable {
                (*shared)(std::move(outcome));
            });
        };
        if (write) {
            store->submit_write<T>(std::move(fn), std::move(done));
        } else {
            store->submit_read<T>(std::move(fn), std::move(done));
        }
    }
};

}  // namespace detail

template <class T>
void Store::submit_write(DbFn<T> fn, std::function<void(boost::system::result<T>)> done) {
    auto outcome =
        std::make_shared<boost::system::result<T>>(detail::failure<T>(BankError::store_failed));
    WriteJob job{[fn = std::move(fn), outcome](SQLite::Database& db) {
                     *outcome = fn(db);
                     return outcome->has_value();
                 },
                 [done, outcome](bool committed) {
                     // A job that failed on its own wrote nothing: its own error stands.
                     if (!committed && outcome->has_value()) {
                         *outcome = detail::failure<T>(BankError::store_failed);
                     }
                     done(std::move(*outcome));
                 }};
    if (!writer_->submit(std::move(job))) {
        done(detail::failure<T>(BankError::busy));
    }
}

template <class T>
void Store::submit_read(DbFn<T> fn, std::function<void(boost::system::result<T>)> done) {
    net::post(read_pool_, [this, fn = std::move(fn), done = std::move(done)] {
        boost::system::result<T> outcome = detail::failure<T>(BankError::store_failed);
        run_read([&](SQLite::Database& db) { outcome = fn(db); });
        done(std::move(outcome));
    });
}

template <class T>
net::awaitable<boost::system::result<T>> Store::write(DbFn<T> fn) {
    return net::async_initiate<const net::use_awaitable_t<>&, void(boost::system::result<T>)>(
        detail::StoreInitiation<T>{this, true}, net::use_awaitable, std::move(fn));
}

template <class T>
net::awaitable<boost::system::result<T>> Store::read(DbFn<T> fn) {
    return net::async_initiate<const net::use_awaitable_t<>&, void(boost::system::result<T>)>(
        detail::StoreInitiation<T>{this, false}, net::use_awaitable, std::move(fn));
}

template <class T>
boost::system::result<T> Store::write_now(DbFn<T> fn) {
    auto promise = std::make_shared<std::promise<boost::system::result<T>>>();
    auto future = promise->get_future();
    submit_write<T>(std::move(fn), [promise](boost::system::result<T> outcome) {
        promise->set_value(std::move(outcome));
    });
    return future.get();
}

template <class T>
boost::system::result<T> Store::read_now(DbFn<T> fn) {
    auto promise = std::make_shared<std::promise<boost::system::result<T>>>();
    auto future = promise->get_future();
    submit_read<T>(std::move(fn), [promise](boost::system::result<T> outcome) {
        promise->set_value(std::move(outcome));
    });
    return future.get();
}

}  // namespace hodi::storage
