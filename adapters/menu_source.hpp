// The live menu every channel serves (USSD now, SMS later), and the versions that sessions
// begun before the last reload still need: DESIGN.md's "sessions finish on the version they
// began". Engine-only: no Asio, no I/O.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "engine/menu.hpp"
#include "engine/session.hpp"

namespace hodi::adapters {

// Old versions held at once. Reloading more often than this within a session timeout drops
// the oldest first; its sessions then carry on as on a version no longer held.
inline constexpr std::size_t retired_menus_max = 4;

struct MenuSourceSettings {
    // How long an old version is held after a newer one is published. A session that began
    // on it began before then, and AT ends every session within its whole-session limit
    // (engine::session_ttl, the menus' default session_timeout); so past this no session
    // can need it. 0: the old version's own session_timeout. Set it to the session timeout
    // the session store uses when that overrides the menu's.
    std::chrono::seconds retain_for{0};
    std::size_t retired_max = retired_menus_max;
    std::function<engine::TimePoint()> clock = [] { return engine::Clock::now(); };
};

// Holds the current menu and recently retired ones, by engine::Menu::version.
//
// Thread-safe. Readers (current(), find(), for_session()) take one atomic load of an immutable
// snapshot and never wait for publish(); publishers are serialised among themselves. A menu
// handed out stays alive for as long as its holder keeps the shared_ptr, dropped or not.
class MenuSource {
public:
    explicit MenuSource(std::shared_ptr<const engine::Menu> menu, MenuSourceSettings settings = {});

    std::shared_ptr<const engine::Menu> current() const;

    // The menu whose version is `version`, if it is current or still held (and not past
    // retain_for); nullptr otherwise.
    std::shared_ptr<const engine::Menu> find(std::string_view version) const;

    // The menu a stored session continues on: the version it began on while that is held,
    // else the current one.
    std::shared_ptr<const engine::Menu> for_session(const engine::SessionRecord& session) const;

    // Makes `menu` current. The previous current menu is held for sessions begun on it unless
    // it has the same version (a reload of unchanged files). Drops what prune() drops.
    void publish(std::shared_ptr<const engine::Menu> menu);

    // Drops old versions past retain_for. Call it now and then (publish() does) so their memory
    // goes; find() already ignores them. Returns how many were dropped.
    std::size_t prune();

    std::size_t retired_count() const;  ///< old versions held right now

private:
    struct Retired {
        std::shared_ptr<const engine::Menu> menu;
        engine::TimePoint until;  ///< held up to this time
    };
    struct Snapshot {
        std::shared_ptr<const engine::Menu> current;
        std::vector<Retired> retired;  ///< newest first
    };

    std::size_t store_pruned(Snapshot next, engine::TimePoint now);

    MenuSourceSettings settings_;
    std::mutex publish_mutex_;  ///< serialises publish() and prune(); readers never take it
    std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace hodi::adapters
