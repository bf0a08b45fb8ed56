// Where one subscriber is in a menu. A plain value: the engine takes one and returns the next;
// storage/ keeps it between hops (memory or Redis) and never interprets it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/action.hpp"
#include "engine/language.hpp"

namespace hodi::engine {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// One screen the subscriber may return to with "back".
struct Frame {
    std::string node_id;
    std::uint16_t page = 0;
};

// The last answer given for this session, so a hop that AT repeats (same sessionId and text)
// replays it instead of advancing. The text itself is not kept: it may hold a PIN.
struct LastReply {
    std::uint64_t text_hash = 0;   ///< hash of the full AT `text` that produced `screen`
    std::uint32_t text_size = 0;   ///< its length, to find the new part of the next `text`
    bool valid = false;            ///< false until the first reply is recorded
    bool end = false;
    std::string screen;            ///< rendered body without the CON/END prefix
};

// What every session is known by and last answered, and all that is kept of it after its END:
// its owner, where it stood, and its last reply, so that AT repeating the final hop gets the
// same END again. A field added here outlives the END; one added to Session below does not.
struct SessionRecord {
    std::string id;        ///< AT sessionId
    std::string phone;     ///< E.164, e.g. "+254712345678"; a session never changes owner
    std::string menu_version;
    std::string node_id;   ///< current node; a stored session only ever names a loaded node
    Language language = Language::en;
    TimePoint started{};
    TimePoint last_seen{};
    std::uint32_t hops = 0;
    LastReply last_reply;
};

struct Session : SessionRecord {
    std::uint16_t page = 0;
    std::vector<Frame> history;     ///< back stack, oldest first
    std::uint16_t history_floor = 0;  ///< frames below this were passed by an irreversible step
    std::uint8_t tries = 0;         ///< bad entries on the current screen
    Variables variables;            ///< inputs and action outputs; PINs are never kept here
    Variables secrets;              ///< PIN entries, held only until the next action consumes them
    std::string notice;             ///< one-off line shown above the next screen (e.g. a reason)
    std::uint8_t actions_in_hop = 0;  ///< actions run since the last entry; see action_chain_max
};

// What is kept of a session that ended: its SessionRecord, nothing else (no variables, no
// secrets, no history).
inline Session ended_session(Session session) {
    Session kept;
    static_cast<SessionRecord&>(kept) = std::move(static_cast<SessionRecord&>(session));
    return kept;
}

}  // namespace hodi::engine
