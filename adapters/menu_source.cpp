// Copy-on-publish snapshots of the current and retired menus.
#include "adapters/menu_source.hpp"

#include <algorithm>

#include "engine/assert.hpp"

namespace hodi::adapters {

MenuSource::MenuSource(std::shared_ptr<const engine::Menu> menu, MenuSourceSettings settings)
    : settings_(std::move(settings)) {
    HODI_ASSERT(menu != nullptr);
    snapshot_.store(std::make_shared<const Snapshot>(Snapshot{std::move(menu), {}}));
}

std::shared_ptr<const engine::Menu> MenuSource::current() const {
    return snapshot_.load()->current;
}

std::shared_ptr<const engine::Menu> MenuSource::find(std::string_view version) const {
    const std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
    if (snapshot->current->version == version) return snapshot->current;
    const engine::TimePoint now = settings_.clock();
    for (const Retired& retired : snapshot->retired) {
        if (retired.menu->version == version && now <= retired.until) return retired.menu;
    }
    return nullptr;
}

std::shared_ptr<const engine::Menu> MenuSource::for_session(
    const engine::SessionRecord& session) const {
    if (auto menu = find(session.menu_version)) return menu;
    return current();
}

void MenuSource::publish(std::shared_ptr<const engine::Menu> menu) {
    HODI_ASSERT(menu != nullptr);
    const std::lock_guard lock(publish_mutex_);
    const engine::TimePoint now = settings_.clock();
    const std::shared_ptr<const Snapshot> previous = snapshot_.load();
    Snapshot next{std::move(menu), {}};
    const std::shared_ptr<const engine::Menu>& old = previous->current;
    if (old->version != next.current->version) {
        const auto retain = settings_.retain_for.count() > 0 ? settings_.retain_for
                                                             : old->session_timeout;
        next.retired.push_back(Retired{old, now + retain});
    }
    for (const Retired& retired : previous->retired) {
        // A version published again (a revert) is current now, not old.
        if (retired.menu->version != next.current->version) next.retired.push_back(retired);
    }
    store_pruned(std::move(next), now);
}

std::size_t MenuSource::prune() {
    const std::lock_guard lock(publish_mutex_);
    const std::shared_ptr<const Snapshot> previous = snapshot_.load();
    return store_pruned(*previous, settings_.clock());
}

// Drops from `next` what is past its time or beyond retired_max, and makes it the snapshot.
// Called with publish_mutex_ held.
std::size_t MenuSource::store_pruned(Snapshot next, engine::TimePoint now) {
    const std::size_t before = next.retired.size();
    std::erase_if(next.retired, [now](const Retired& retired) { return now > retired.until; });
    if (next.retired.size() > settings_.retired_max) next.retired.resize(settings_.retired_max);
    const std::size_t dropped = before - next.retired.size();
    snapshot_.store(std::make_shared<const Snapshot>(std::move(next)));
    return dropped;
}

std::size_t MenuSource::retired_count() const { return snapshot_.load()->retired.size(); }

}  // namespace hodi::adapters
