// Read batches: shared transactions, fresh snapshots, failures that stay with their job.
#include "storage/bank/sql/reader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "storage/bank/sql/schema.hpp"
#include "storage/bank/sql/store.hpp"
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

// A hop that becomes ready `passes` passes of its scheduler later, then reads as echo() does.
net::awaitable<void> late_echo(hodi::storage::Store* store, int value, int passes,
                               std::atomic<int>* answered) {
    for (int i = 0; i < passes; ++i) {
        co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    }
    co_await echo(store, value, answered);
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

TEST_CASE("a flush waits while reads keep arriving, and runs them in one transaction") {
    // Goal: on a busy thread more reads share a batch; on an idle one nothing waits. Method:
    // call flush_when_settled as a scheduler would, once per pass, queueing reads in between.
    Counter counter;
    Reader reader(counter.path);
    std::vector<std::optional<int>> seen(3);
    bool failed = false;
    REQUIRE(reader.enqueue(recording_job(&seen[0], &failed)));
    CHECK(reader.flush_when_settled());  // nothing arrived after it: no wait
    CHECK(seen[0] == 0);
    CHECK(reader.transactions() == 1);

    seen[0].reset();
    REQUIRE(reader.enqueue(recording_job(&seen[0], &failed)));
    reader.enqueue(recording_job(&seen[1], &failed));
    CHECK_FALSE(reader.flush_when_settled());  // one more arrived: wait a pass
    CHECK_FALSE(seen[0].has_value());
    reader.enqueue(recording_job(&seen[2], &failed));
    CHECK_FALSE(reader.flush_when_settled());
    CHECK(reader.flush_when_settled());  // settled
    for (const auto& value : seen) CHECK(value == 0);
    CHECK(reader.transactions() == 2);
    CHECK_FALSE(failed);
}

TEST_CASE("a flush waits no more than read_flush_passes_max passes, nor past a full batch") {
    Counter counter;
    Reader reader(counter.path);
    std::vector<std::optional<int>> seen(read_batch_jobs_max + 1);
    bool failed = false;
    REQUIRE(reader.enqueue(recording_job(&seen[0], &failed)));
    int waits = 0;
    for (std::size_t i = 1;; ++i) {
        reader.enqueue(recording_job(&seen[i], &failed));  // always one more: never settles
        if (reader.flush_when_settled()) break;
        ++waits;
    }
    CHECK(waits == hodi::storage::read_flush_passes_max);
    CHECK(seen[0] == 0);

    // A full batch runs at once, however fast reads arrive.
    std::fill(seen.begin(), seen.end(), std::nullopt);
    for (std::size_t i = 0; i < read_batch_jobs_max; ++i) {
        reader.enqueue(recording_job(&seen[i], &failed));
    }
    CHECK(reader.flush_when_settled());
    CHECK(seen[read_batch_jobs_max - 1] == 0);
    CHECK_FALSE(failed);
}

TEST_CASE("reads from hops that become ready on the next pass join the waiting batch") {
    // Goal: on a busy network thread, hops that become ready while a batch waits share its
    // transaction. Method: 8 hops read at once and 8 more one scheduler pass later; a flush
    // that ran at its first pass would take two transactions.
    hodi::test::TempDir dir;
    auto store = hodi::storage::Store::open({dir.path() / "hodi.db"}).value();
    net::io_context io;
    std::atomic<int> answered{0};
    for (int i = 0; i < 16; ++i) {
        net::co_spawn(io, late_echo(store.get(), i, i < 8 ? 0 : 1, &answered), net::detached);
    }
    io.run();
    CHECK(answered == 16);
    CHECK(store->read_transactions() == 1);
}
