// The SQLite readers: pooled connections, and read jobs batched into shared read transactions
// on the threads that asked for them.
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/bank/sql/connection.hpp"
#include "storage/bank/sql/schema.hpp"

namespace hodi::storage {

// At most this many read jobs share one read transaction. Bounded so that no snapshot is held
// for long (a held snapshot keeps the writer's checkpoints from recycling the WAL).
inline constexpr std::size_t read_batch_jobs_max = 64;
// A flush waits at most this many passes of its scheduler for more reads to join its batch.
// Each pass a batch waits is one more pass of a busy thread's ready work (for a loaded thread,
// its other hops), so the bound keeps the added latency to a few such passes.
inline constexpr int read_flush_passes_max = 4;

// A read job: called once, with a connection inside a read transaction, or with nullptr when no
// transaction could be opened for it. It answers its own caller either way, and catches what
// its queries throw (a job that throws anyway is logged and not called again).
//
// Move-only, unlike std::function: a job owns the handler of the coroutine awaiting it, which
// cannot be copied, so an awaited read needs no shared state and one allocation.
class ReadJob;
template <class Fn>
concept ReadJobBody =
    !std::same_as<std::decay_t<Fn>, ReadJob> && std::invocable<std::decay_t<Fn>&, Connection*>;

class ReadJob {
public:
    template <ReadJobBody Fn>
    ReadJob(Fn&& fn)  // NOLINT(google-explicit-constructor): lambdas convert, as to std::function
        : impl_(std::make_unique<Impl<std::decay_t<Fn>>>(std::forward<Fn>(fn))) {}

    void operator()(Connection* db) { impl_->call(db); }

private:
    struct Base {
        virtual ~Base() = default;
        virtual void call(Connection* db) = 0;
    };
    template <class Fn>
    struct Impl final : Base {
        explicit Impl(Fn&& job) : fn(std::move(job)) {}
        explicit Impl(const Fn& job) : fn(job) {}
        void call(Connection* db) override { fn(db); }
        Fn fn;
    };
    std::unique_ptr<Base> impl_;
};

// Why batches, and why on the caller's thread: a point query by key takes a few microseconds,
// while beginning and ending the read transaction around it takes more (file locks and the WAL
// read mark, each an fcntl system call), and handing the job to another thread costs two
// context switches. So awaited reads are queued, and the first one queued arranges a flush
// on its own network thread; by the time the flush runs, the hops that became ready meanwhile
// have queued theirs, and all of them run in ONE read transaction, with no thread switch.
// On a busy thread the flush waits while reads keep arriving (flush_when_settled): queries run
// back to back find SQLite's code and pages still in the CPU's caches, which is worth more than
// the transaction they share. An idle thread's flush finds nothing new and runs at once.
// Every job still sees a snapshot taken after it was queued, so a read queued after a write
// completed sees that write. Running reads on a network thread is safe because in WAL mode a
// reader never waits for the writer, and the reads the actions make are lookups by key.
// Thread-safe.
class Reader {
public:
    // Connections are opened as needed, each with a page cache of up to page_cache_bytes.
    explicit Reader(std::filesystem::path path,
                    std::size_t page_cache_bytes = default_page_cache_bytes,
                    ScoreRules score_rules = {});
    ~Reader();  // runs every queued job

    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Queues a job; true when the queue was empty, and the caller must then arrange one call of
    // flush() (on any thread) to run it.
    bool enqueue(ReadJob job);

    // Runs every queued job, read_batch_jobs_max to a transaction, on this thread.
    void flush();

    // What the caller told to flush calls, once per pass of its scheduler: flushes and returns
    // true, unless jobs were queued since the last call and the batch is neither full nor has
    // waited read_flush_passes_max passes; then it returns false, to be called again later.
    bool flush_when_settled();

    // Runs one job now on this thread, in a transaction of its own.
    void run_now(ReadJob job);

    std::uint64_t transactions() const { return transactions_.load(); }

private:
    void run_batch(std::span<ReadJob> batch);
    std::unique_ptr<Connection> borrow_connection();
    void return_connection(std::unique_ptr<Connection> db);

    std::filesystem::path path_;
    std::size_t page_cache_bytes_;
    ScoreRules score_rules_;
    std::mutex mutex_;
    std::vector<ReadJob> queue_;
    std::size_t queued_at_last_look_ = 0;  ///< for flush_when_settled: did the queue grow?
    int passes_waited_ = 0;
    std::vector<ReadJob> spare_;  ///< an emptied batch, kept for its capacity
    std::vector<std::unique_ptr<Connection>> idle_;
    std::atomic<std::uint64_t> transactions_{0};
};

}  // namespace hodi::storage
