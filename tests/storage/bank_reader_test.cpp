// Read batches: shared transactions, fresh snapshots, failures that stay with their job.
#include "storage/bank/reader.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "storage/bank/schema.hpp"
#include "storage/bank/store.hpp"
#include "tests/support/vectors.hpp"

namespace {

namespace net = boost::asio;
using hodi::storage::Connection;
using hodi::storage::read_batch_jobs_max;
using hodi::storage::Reader;
using hodi::storage::ReadJob;

// A database holding one counter, written through its own connection.
struct Counter {
    hodi::test::TempDir dir;
    std::filesystem::path path = dir.path() / "hodi.db";
    std::unique_ptr<Connection> writer = hodi::storage::open_connection(path).value();

    Counter() {
        writer->exec("CREATE TABLE counter (value INTEGER)");
        writer->exec("INSERT INTO counter VALUES (0)");
    }
    void set(int value) { writer->exec("UPDATE counter SET value = " + std::to_string(value)); }
};

int counter_value(Connection& db) { return db.execAndGet("SELECT value FROM counter").getInt(); }

// A job that records what it read, or that it failed.
ReadJob recording_job(std::optional<int>* seen, bool* failed) {
    return [seen, failed](Connection* db) {
        if (db == nullptr) {
            *failed = true;
            return;
        }
        try {
            *seen = counter_value(*db);
        } catch (const SQLite::Exception&) {
            *failed = true;
        }
    };
}

// One hop's read: asks SQLite to echo `value` and counts a right answer.
net::awaitable<void> echo(hodi::storage::Store* store, int value, std::atomic<int>* answered) {
    // A named job, not a lambda inside the co_await: g++ 12 destroys such temporaries twice.
    hodi::storage::DbFn<int> job = [value](Connection& db) {
        const int echoed = db.execAndGet("SELECT " + std::to_string(value)).getInt();
        return boost::system::result<int>(echoed);
    };
    const auto echoed = co_await store->read<int>(std::move(job));
    if (echoed && *echoed == value) ++*answered;
}

// Which connections are running a job right now, and what the jobs saw.
struct ConnectionUse {
    std::mutex mutex;
    std::set<Connection*> busy;
    std::atomic<int> overlaps{0};
    std::atomic<int> answered{0};

    void begin(Connection* db) {
        const std::lock_guard lock(mutex);
        if (!busy.insert(db).second) ++overlaps;
    }
    void end(Connection* db) {
        const std::lock_guard lock(mutex);
        busy.erase(db);
    }
};

// One hop's read that marks its connection busy while it runs.
net::awaitable<void> read_marking(hodi::storage::Store* store, ConnectionUse* use, int value) {
    hodi::storage::DbFn<int> job = [use, value](Connection& db) {
        use->begin(&db);
        const int echoed = db.execAndGet("SELECT " + std::to_string(value)).getInt();
        use->end(&db);
        return boost::system::result<int>(echoed);
    };
    const auto echoed = co_await store->read<int>(std::move(job));
    if (echoed && *echoed == value) ++use->answered;
}

}  // namespace

TEST_CASE("jobs queued before a flush share one read transaction, at most 64 to each") {
    Counter counter;
    Reader reader(counter.path);
    const std::size_t jobs = read_batch_jobs_max + 10;
    std::vector<std::optional<int>> seen(jobs);
    bool failed = false;
    std::size_t first_count = 0;
    for (std::size_t i = 0; i < jobs; ++i) {
        if (reader.enqueue(recording_job(&seen[i], &failed))) ++first_count;
    }
    CHECK(first_count == 1);  // only the first enqueue asks for a flush
    reader.flush();
    CHECK(reader.transactions() == 2);
    CHECK_FALSE(failed);
    for (const auto& value : seen) CHECK(value == 0);
    // The queue is empty again: the next job asks for a flush of its own.
    std::optional<int> later;
    CHECK(reader.enqueue(recording_job(&later, &failed)));
    reader.flush();
    CHECK(later == 0);
}

TEST_CASE("a queued read sees a write committed after it was queued") {
    Counter counter;
    Reader reader(counter.path);
    std::optional<int> before, after;
    bool failed = false;
    reader.run_now(recording_job(&before, &failed));
    reader.enqueue(recording_job(&after, &failed));
    counter.set(7);
    reader.flush();
    CHECK(before == 0);
    CHECK(after == 7);  // the snapshot is taken at the flush, not before
    CHECK_FALSE(failed);
}

TEST_CASE("a job that throws is alone in failing; the rest of its batch is answered") {
    Counter counter;
    Reader reader(counter.path);
    std::optional<int> first, last;
    bool first_failed = false, broken_failed = false, last_failed = false;
    reader.enqueue(recording_job(&first, &first_failed));
    reader.enqueue([&broken_failed](Connection* db) {
        // Throws out of the job: the reader logs it and carries on with the batch.
        broken_failed = true;
        REQUIRE(db != nullptr);
        db->execAndGet("SELECT * FROM no_such_table");
    });
    reader.enqueue(recording_job(&last, &last_failed));
    reader.flush();
    CHECK(broken_failed);
    CHECK(first == 0);
    CHECK(last == 0);
    CHECK_FALSE(first_failed);
    CHECK_FALSE(last_failed);
}

TEST_CASE("a job may own what cannot be copied, and runs once") {
    // Goal: ReadJob holds move-only state (as an awaiting coroutine's handler is). Method: a job
    // owning a unique_ptr, queued, moved with its batch, flushed.
    Counter counter;
    Reader reader(counter.path);
    int runs = 0;
    auto owned = std::make_unique<int>(41);
    reader.enqueue([owned = std::move(owned), &runs](Connection* db) mutable {
        REQUIRE(db != nullptr);
        *owned += 1 + counter_value(*db);
        runs += *owned == 42 ? 1 : 100;
    });
    reader.flush();
    reader.flush();
    CHECK(runs == 1);
}

TEST_CASE("without a connection every job is failed, none is lost") {
    // A path under a regular file: the folder can never be created, so no connection opens.
    Counter counter;
    Reader reader(counter.path / "inside-a-file" / "hodi.db");
    int failures = 0;
    for (int i = 0; i < 3; ++i) {
        reader.enqueue([&failures](Connection* db) {
            if (db == nullptr) ++failures;
        });
    }
    reader.flush();
    CHECK(failures == 3);
}

TEST_CASE("reads from several network threads never share a connection at once") {
    // Goal: connections are opened without SQLite's own mutex, which is safe only while each is
    // used by one thread at a time. Method: four threads flush batches concurrently; every job
    // marks its connection busy while it runs and counts any overlap.
    hodi::test::TempDir dir;
    auto store = hodi::storage::Store::open({dir.path() / "hodi.db"}).value();
    net::io_context io;
    ConnectionUse use;
    constexpr int hops = 400;
    for (int i = 0; i < hops; ++i) {
        net::co_spawn(io, read_marking(store.get(), &use, i), net::detached);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&io] { io.run(); });
    for (auto& thread : threads) thread.join();
    CHECK(use.answered == hops);
    CHECK(use.overlaps == 0);
}

TEST_CASE("reads awaited by concurrent hops are answered and share transactions") {
    hodi::test::TempDir dir;
    auto store = hodi::storage::Store::open({dir.path() / "hodi.db"}).value();
    net::io_context io;
    constexpr int hops = 200;
    std::atomic<int> answered{0};
    for (int i = 0; i < hops; ++i) {
        net::co_spawn(io, echo(store.get(), i, &answered), net::detached);
    }
    io.run();
    CHECK(answered == hops);
    // All 200 were queued before the first flush ran: ceil(200 / 64) transactions.
    CHECK(store->read_transactions() == (hops + read_batch_jobs_max - 1) / read_batch_jobs_max);
}
