// The SQLite store: one writer (group commit) and a few readers (shared read transactions),
// awaited from coroutines on the network threads or called blocking from commands, tests and
// benches.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/result.hpp>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>

#include "storage/bank/sql/bank_error.hpp"
#include "storage/bank/sql/connection.hpp"
#include "storage/bank/sql/reader.hpp"
#include "storage/bank/sql/schema.hpp"
#include "storage/bank/sql/writer.hpp"

namespace hodi::storage {

namespace net = boost::asio;

struct StoreSettings {
    // Created with its folder when missing. No default: the commands name it (app/paths.hpp).
    std::filesystem::path path;
    /// SQLite's page cache, for each connection: the writer's and each reader's.
    std::size_t page_cache_bytes = default_page_cache_bytes;
    ScoreRules score_rules{};  ///< applied on every connection (loans.score_repaid_days_min)
};

// A unit of work on one connection. For writes it runs inside the batch transaction, in its own
// savepoint: returning an error rolls back everything it did. For reads it runs inside one read
// transaction, so it sees a single snapshot.
template <class T>
using DbFn = std::function<boost::system::result<T>(Connection&)>;

namespace detail {
template <class T>
struct StoreInitiation;
}  // namespace detail

// Thread-safe. Destroying the store finishes every submitted read and write first.
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
    // read_now runs on the calling thread.
    template <class T>
    boost::system::result<T> write_now(DbFn<T> fn);
    template <class T>
    boost::system::result<T> read_now(DbFn<T> fn);

    template <class T>
    void submit_write(DbFn<T> fn, std::function<void(boost::system::result<T>)> done);

    WriterStats writer_stats() const { return writer_->stats(); }
    std::uint64_t read_transactions() const { return reader_->transactions(); }
    const std::filesystem::path& path() const { return settings_.path; }

private:
    template <class T>
    friend struct detail::StoreInitiation;

    Store(StoreSettings settings, std::unique_ptr<Connection> write_connection);

    StoreSettings settings_;
    std::unique_ptr<Writer> writer_;
    std::unique_ptr<Reader> reader_;
};

namespace detail {

// Logs a read job's exception; out of line to keep spdlog out of this header.
void log_read_failure(const std::exception& error);

// An error result; spelled out because result<bool> would take an error_code as a bool.
template <class T>
boost::system::result<T> failure(BankError error) {
    return boost::system::result<T>(boost::system::in_place_error, make_error_code(error));
}

// A read job answering `done` exactly once: with fn's result, or store_failed when there is no
// connection or fn throws (logged).
template <class T, class Done>
ReadJob read_job(DbFn<T> fn, Done done) {
    return [fn = std::move(fn), done = std::move(done)](Connection* db) mutable {
        boost::system::result<T> outcome = failure<T>(BankError::store_failed);
        if (db != nullptr) {
            try {
                outcome = fn(*db);
            } catch (const std::exception& error) {
                log_read_failure(error);
            }
        }
        done(std::move(outcome));
    };
}

// Runs the reader's queue once it has settled, posting itself again for each pass of the
// scheduler it waits (see Reader::flush_when_settled).
template <class Executor>
struct SettledFlush {
    Executor executor;
    Reader* reader;
    void operator()() {
        if (reader->flush_when_settled()) return;
        auto again = executor;  // a copy: post() moves *this, member executor included
        net::post(again, std::move(*this));
    }
};

// Completes an awaiting coroutine on its own executor; keeps that executor's context alive
// until then.
template <class T>
struct StoreInitiation {
    Store* store;
    bool write;

    template <class Handler>
    void operator()(Handler&& handler, DbFn<T> fn) const {
        auto executor = net::prefer(net::get_associated_executor(handler),
                                    net::execution::outstanding_work.tracked);
        if (write) {
            // A write's completion is a std::function, which must be copyable: share the handler.
            auto shared = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
            auto done = [shared, executor](boost::system::result<T> outcome) {
                net::post(executor, [shared, outcome = std::move(outcome)]() mutable {
                    (*shared)(std::move(outcome));
                });
            };
            store->submit_write<T>(std::move(fn), std::move(done));
            return;
        }
        // A read job is move-only, so it owns the handler outright.
        auto done = [handler = std::forward<Handler>(handler),
                     executor](boost::system::result<T> outcome) mutable {
            net::post(executor,
                      [handler = std::move(handler), outcome = std::move(outcome)]() mutable {
                          std::move(handler)(std::move(outcome));
                      });
        };
        // The first read queued arranges the flush on its own executor: see Reader.
        if (store->reader_->enqueue(read_job<T>(std::move(fn), std::move(done)))) {
            net::post(executor, SettledFlush<decltype(executor)>{executor, store->reader_.get()});
        }
    }
};

}  // namespace detail

template <class T>
void Store::submit_write(DbFn<T> fn, std::function<void(boost::system::result<T>)> done) {
    auto outcome =
        std::make_shared<boost::system::result<T>>(detail::failure<T>(BankError::store_failed));
    WriteJob job{[fn = std::move(fn), outcome](Connection& db) {
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
    boost::system::result<T> outcome = detail::failure<T>(BankError::store_failed);
    auto keep = [&outcome](boost::system::result<T> answer) { outcome = std::move(answer); };
    reader_->run_now(detail::read_job<T>(std::move(fn), std::move(keep)));
    return outcome;
}

}  // namespace hodi::storage
