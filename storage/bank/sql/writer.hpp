// The single SQLite writer: one thread, one connection, group commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

// At most this many write jobs share one transaction (and one fsync). Bounded so one commit's
// latency stays short while the queue behind it refills.
inline constexpr std::size_t write_batch_jobs_max = 256;
// Submissions beyond this many waiting jobs are refused with BankError::busy.
inline constexpr std::size_t write_queue_jobs_max = 65'536;

struct WriterStats {
    std::uint64_t batches = 0;  ///< transactions committed (or attempted)
    std::uint64_t jobs = 0;     ///< jobs run
};

// A write job in two parts. `run` does the job's SQL inside its own SAVEPOINT and says whether
// to keep its changes (false rolls back to the savepoint; a throw counts as false). `complete`
// runs after the batch's COMMIT with whether that commit succeeded; a job whose changes were
// kept but whose batch failed to commit must report failure.
struct WriteJob {
    std::function<bool(Connection&)> run;
    std::function<void(bool committed)> complete;
};

// Owns the write connection and a thread that drains queued jobs: every job waiting when the
// thread wakes (up to write_batch_jobs_max) runs in ONE `BEGIN IMMEDIATE` transaction, each in
// its own SAVEPOINT so a failing job rolls back alone, then one COMMIT makes them all durable
// (one fsync with synchronous=FULL) and every job completes. Thread-safe: submit() may be called
// from any thread; jobs run on the writer thread only.
class Writer {
public:
    explicit Writer(std::unique_ptr<Connection> db);
    ~Writer();  // Runs every job already submitted, then joins the thread.
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // False (and the job is not run) when the queue holds write_queue_jobs_max jobs or the
    // writer is stopping.
    bool submit(WriteJob job);

    WriterStats stats() const;

private:
    void loop();
    void run_batch(std::deque<WriteJob>& batch);
    bool run_job(WriteJob& job);
    void write_pending_audit_head();

    std::unique_ptr<Connection> db_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<WriteJob> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> jobs_{0};
    std::thread thread_;
};

}  // namespace hodi::storage
