// Read batches: one read transaction for every job queued, on the flushing thread.
#include "storage/bank/sql/reader.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>

#include "storage/bank/sql/schema.hpp"

namespace hodi::storage {

namespace {

bool in_transaction(Connection& db) { return sqlite3_get_autocommit(db.getHandle()) == 0; }

void end_read(Connection& db) {
    if (!in_transaction(db)) return;
    try {
        db.exec_prepared("COMMIT");
    } catch (const std::exception& error) {
        // Every job already has its answer from one consistent snapshot; ending it failed.
        spdlog::error("bank: ending a read failed: {}", error.what());
        try {
            db.exec_prepared("ROLLBACK");
        } catch (const std::exception&) {
            // Nothing left to undo.
        }
    }
}

}  // namespace

Reader::Reader(std::filesystem::path path, std::size_t page_cache_bytes, ScoreRules score_rules)
    : path_(std::move(path)), page_cache_bytes_(page_cache_bytes), score_rules_(score_rules) {}

Reader::~Reader() { flush(); }

bool Reader::enqueue(ReadJob job) {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
    if (queue_.size() != 1) return false;
    queued_at_last_look_ = 1;
    passes_waited_ = 0;
    return true;
}

bool Reader::flush_when_settled() {
    {
        const std::lock_guard lock(mutex_);
        const std::size_t queued = queue_.size();
        const bool growing = queued > queued_at_last_look_;
        if (growing && queued < read_batch_jobs_max && passes_waited_ < read_flush_passes_max) {
            queued_at_last_look_ = queued;
            ++passes_waited_;
            return false;
        }
    }
    flush();
    return true;
}

void Reader::flush() {
    for (;;) {
        std::vector<ReadJob> queued;
        {
            const std::lock_guard lock(mutex_);
            queued.swap(queue_);
            queue_.swap(spare_);  // so that the next batch does not grow from nothing
        }
        if (queued.empty()) return;
        const std::span<ReadJob> jobs(queued);
        for (std::size_t at = 0; at < jobs.size(); at += read_batch_jobs_max) {
            run_batch(jobs.subspan(at, std::min(read_batch_jobs_max, jobs.size() - at)));
        }
        queued.clear();
        const std::lock_guard lock(mutex_);
        if (queued.capacity() > spare_.capacity()) spare_.swap(queued);
    }
}

void Reader::run_now(ReadJob job) { run_batch(std::span<ReadJob>(&job, 1)); }

void Reader::run_batch(std::span<ReadJob> batch) {
    auto db = borrow_connection();
    for (ReadJob& job : batch) {
        Connection* connection = db.get();
        try {
            // A failed job may have ended the transaction; the next one begins another.
            if (connection != nullptr && !in_transaction(*connection)) {
                connection->exec_prepared("BEGIN");
                transactions_.fetch_add(1, std::memory_order_relaxed);
            }
        } catch (const std::exception& error) {
            spdlog::error("bank: cannot begin a read: {}", error.what());
            connection = nullptr;
        }
        try {
            job(connection);
        } catch (const std::exception& error) {
            spdlog::error("bank: read job threw: {}", error.what());
        }
    }
    if (!db) return;
    end_read(*db);
    return_connection(std::move(db));
}

std::unique_ptr<Connection> Reader::borrow_connection() {
    {
        const std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return db;
        }
    }
    auto opened = open_connection(path_, page_cache_bytes_);
    if (!opened) return nullptr;
    (*opened)->score_rules = score_rules_;
    try {
        // A read job that tries to write fails instead: reads never move money, by construction.
        (*opened)->exec("PRAGMA query_only = ON");
    } catch (const std::exception& error) {
        spdlog::error("bank: cannot make a read connection read-only: {}", error.what());
        return nullptr;
    }
    return std::move(*opened);
}

void Reader::return_connection(std::unique_ptr<Connection> db) {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
}

}  // namespace hodi::storage
