// The writer thread's loop: drain, one transaction per batch, savepoint per job, one commit.
#include "storage/bank/sql/writer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <utility>

#include "storage/bank/sql/audit_head.hpp"

namespace hodi::storage {

Writer::Writer(std::unique_ptr<Connection> db) : db_(std::move(db)), thread_([this] { loop(); }) {}

Writer::~Writer() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

bool Writer::submit(WriteJob job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= write_queue_jobs_max) return false;
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

WriterStats Writer::stats() const { return {batches_.load(), jobs_.load()}; }

void Writer::loop() {
    std::deque<WriteJob> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and every submitted job has run
            while (!queue_.empty() && batch.size() < write_batch_jobs_max) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        run_batch(batch);
        batch.clear();
    }
}

bool Writer::run_job(WriteJob& job) {
    // A job rolled back takes its audit events with it: the head to write is the one before.
    const std::optional<Connection::AuditHead> head_before = db_->pending_audit_head;
    db_->exec_prepared("SAVEPOINT job");
    bool keep = false;
    try {
        keep = job.run(*db_);
    } catch (const std::exception& error) {
        spdlog::error("bank: write job failed: {}", error.what());
    }
    if (keep) {
        db_->exec_prepared("RELEASE job");
    } else {
        db_->exec_prepared("ROLLBACK TO job");
        db_->exec_prepared("RELEASE job");
        db_->pending_audit_head = head_before;
    }
    return keep;
}

// After a commit that appended audit events: the head file names the newest. A failure here is
// logged, not thrown: the events are committed, and verify reports the head behind.
void Writer::write_pending_audit_head() {
    if (!db_->pending_audit_head) return;
    try {
        write_audit_head(db_->audit_head_file, db_->pending_audit_head->seq,
                         db_->pending_audit_head->hash);
    } catch (const std::exception& error) {
        spdlog::error("bank: audit head not written: {}", error.what());
    }
    db_->pending_audit_head.reset();
}

void Writer::run_batch(std::deque<WriteJob>& batch) {
    bool committed = false;
    try {
        db_->exec_prepared("BEGIN IMMEDIATE");
        for (WriteJob& job : batch) {
            run_job(job);
            // Some errors (SQLITE_FULL, I/O) end the whole transaction; the rest of the batch
            // cannot run inside it.
            if (sqlite3_get_autocommit(db_->getHandle()) != 0) {
                throw SQLite::Exception("the batch transaction ended early");
            }
        }
        db_->exec_prepared("COMMIT");
        committed = true;
        write_pending_audit_head();
    } catch (const std::exception& error) {
        spdlog::error("bank: write batch of {} failed: {}", batch.size(), error.what());
        if (sqlite3_get_autocommit(db_->getHandle()) == 0) {
            try {
                db_->exec_prepared("ROLLBACK");
            } catch (const std::exception& rollback_error) {
                spdlog::error("bank: rollback failed: {}", rollback_error.what());
            }
        }
    }
    db_->pending_audit_head.reset();  // a rolled-back batch appended nothing
    batches_.fetch_add(1, std::memory_order_relaxed);
    jobs_.fetch_add(batch.size(), std::memory_order_relaxed);
    for (WriteJob& job : batch) job.complete(committed);
}

}  // namespace hodi::storage
