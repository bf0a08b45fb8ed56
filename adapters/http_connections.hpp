// The server's open connections: who they are, which are idle, and the caps that keep them
// from exhausting file descriptors. At a cap a new connection evicts the longest-open idle one
// (of its own peer at the per-peer cap), so sockets held open and silent cannot lock out
// clients that send requests; only when every connection is busy is the newcomer refused.
// Internal to adapters/ (http_server.cpp).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace hodi::adapters {

// One connection as the registry sees it. `shutdown` is set and cleared by the connection
// itself, on its own executor, and called only there.
struct ConnectionSlot {
    boost::asio::any_io_executor executor;
    boost::asio::ip::address peer;
    std::function<void()> shutdown;  ///< closes the socket; empty once the connection ends
    std::atomic<bool> busy{false};   ///< a request is being read, handled or answered
    bool evicted = false;            ///< its close is on the way; guarded by the registry
};

class ConnectionRegistry {
public:
    using Slots = std::list<std::shared_ptr<ConnectionSlot>>;

    // `max_total` 0: derived from the process's file-descriptor limit; `max_per_peer` 0: none.
    ConnectionRegistry(std::size_t max_total, std::size_t max_per_peer);

    // Registers `slot`, evicting an idle connection when a cap is reached; nullopt when every
    // connection it could evict is busy (the caller closes the newcomer).
    std::optional<Slots::iterator> admit(std::shared_ptr<ConnectionSlot> slot);
    // Unregisters; true when it was the last one.
    bool remove(Slots::iterator slot);
    // Closes the longest-open idle connection, if any (after EMFILE: frees a descriptor).
    bool evict_one_idle();
    // Closes every connection (or only the idle ones) on its own executor.
    void close_all(bool idle_only);

    std::size_t size() const;
    bool empty() const { return size() == 0; }
    std::size_t max_total() const { return max_total_; }

    // The cap `max_total` 0 stands for: the descriptor limit less a reserve for files,
    // SQLite, Redis and the listening socket.
    static std::size_t derived_max_total();

private:
    // The oldest idle slot (of `peer` when given) not being evicted; marks it evicted.
    bool evict_locked(const boost::asio::ip::address* peer);

    std::size_t max_total_;
    std::size_t max_per_peer_;
    mutable std::mutex mutex_;
    Slots slots_;
    std::map<boost::asio::ip::address, std::size_t> per_peer_;
};

}  // namespace hodi::adapters
