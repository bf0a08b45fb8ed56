// One hop at a time per session (on this node). AT retries a hop it got no answer to within
// its timeout (PROTOCOLS.md §1.5); a retry racing its original would step the session twice:
// the same wrong PIN sent three times at once answered "2 left", "1 left", "locked". A hop that
// finds its session busy waits for the hop in flight to finish, then runs: a repeat of the same
// text then finds the saved reply and replays it, a new entry steps the session as it now is.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hodi::adapters {

namespace net = boost::asio;

class SessionGate {
public:
    // Holds a session until dropped; then the next waiting hop of that session may run.
    class Pass {
    public:
        Pass() = default;
        Pass(Pass&& other) noexcept;
        Pass& operator=(Pass&& other) noexcept;
        Pass(const Pass&) = delete;
        Pass& operator=(const Pass&) = delete;
        ~Pass();

    private:
        friend class SessionGate;
        Pass(SessionGate* gate, std::uint64_t key) : gate_(gate), key_(key) {}
        SessionGate* gate_ = nullptr;
        std::uint64_t key_ = 0;
    };

    SessionGate();
    ~SessionGate();
    SessionGate(const SessionGate&) = delete;
    SessionGate& operator=(const SessionGate&) = delete;

    // The pass at once when no hop of the session is in flight (the usual case: no coroutine,
    // one lock), else nullopt.
    std::optional<Pass> try_enter(const std::string& session_id);
    // Waits on `executor` for the hop in flight to pass the session on, until `deadline`;
    // nullopt when the deadline came first.
    net::awaitable<std::optional<Pass>> enter(std::string session_id,
                                              std::chrono::steady_clock::time_point deadline);

    std::size_t busy_sessions() const;  ///< sessions with a hop in flight right now

    struct State;

private:
    // Sessions are known by a 64-bit hash of their id: no copy of the id per hop. Two ids that
    // collide only take turns, which costs a wait, never a wrong answer.
    static std::uint64_t key_of(const std::string& session_id);
    void release(std::uint64_t key);
    std::unique_ptr<State> state_;
};

}  // namespace hodi::adapters
