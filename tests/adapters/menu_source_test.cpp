// MenuSource on a test clock: which versions it holds after a publish, for how long, how many,
// and which menu a session continues on.
#include "adapters/menu_source.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

namespace hodi::test {

namespace {

using namespace std::chrono_literals;

std::shared_ptr<const engine::Menu> versioned(std::string version) {
    engine::Menu menu;
    menu.name = "test";
    menu.version = std::move(version);
    return std::make_shared<const engine::Menu>(std::move(menu));
}

engine::SessionRecord begun_on(std::string version) {
    engine::SessionRecord session;
    session.menu_version = std::move(version);
    return session;
}

// A clock the test moves by hand.
struct TestClock {
    std::shared_ptr<engine::TimePoint> now = std::make_shared<engine::TimePoint>();
    std::function<engine::TimePoint()> function() const {
        return [now = now] { return *now; };
    }
};

}  // namespace

TEST_CASE("a published menu becomes current and the one it replaced is still found") {
    // Goal: sessions begun on v1 can still reach it after v2 is published; new ones get v2.
    TestClock clock;
    const auto v1 = versioned("v1");
    adapters::MenuSource source(v1, adapters::MenuSourceSettings{.clock = clock.function()});
    CHECK(source.current() == v1);
    CHECK(source.retired_count() == 0);
    const auto v2 = versioned("v2");
    source.publish(v2);
    CHECK(source.current() == v2);
    CHECK(source.find("v1") == v1);
    CHECK(source.find("v2") == v2);
    CHECK(source.find("v0") == nullptr);
    CHECK(source.for_session(begun_on("v1")) == v1);
    CHECK(source.for_session(begun_on("v0")) == v2);
    CHECK(source.retired_count() == 1);
}

TEST_CASE("an old version is dropped once its session timeout has passed") {
    // Goal: no session can need v1 past its session_timeout after it was replaced (AT ends every
    // session by then), so it is no longer found, and prune() lets its memory go.
    TestClock clock;
    std::weak_ptr<const engine::Menu> v1_watch;
    std::chrono::seconds timeout{};
    adapters::MenuSource source = [&] {
        auto v1 = versioned("v1");
        v1_watch = v1;
        timeout = v1->session_timeout;
        return adapters::MenuSource(std::move(v1),
                                    adapters::MenuSourceSettings{.clock = clock.function()});
    }();
    source.publish(versioned("v2"));
    *clock.now += timeout;
    CHECK(source.find("v1") != nullptr);  // a session begun just before the publish may hop now
    *clock.now += 1s;
    CHECK(source.find("v1") == nullptr);
    CHECK(source.for_session(begun_on("v1"))->version == "v2");
    CHECK_FALSE(v1_watch.expired());  // not pruned yet: find() only ignores it
    CHECK(source.prune() == 1);
    CHECK(source.retired_count() == 0);
    CHECK(v1_watch.expired());
}

TEST_CASE("retain_for overrides the menus' own session timeout") {
    // Goal: when the store keeps sessions for a configured time, old versions follow it.
    TestClock clock;
    adapters::MenuSource source(versioned("v1"),
                                adapters::MenuSourceSettings{.retain_for = 10s,
                                                             .clock = clock.function()});
    source.publish(versioned("v2"));
    *clock.now += 10s;
    CHECK(source.find("v1") != nullptr);
    *clock.now += 1s;
    CHECK(source.find("v1") == nullptr);
    source.publish(versioned("v3"));  // publish prunes too
    CHECK(source.retired_count() == 1);
    CHECK(source.find("v2") != nullptr);
}

TEST_CASE("at most retired_max old versions are held, the newest ones") {
    // Goal: reloading in a loop cannot pile menus up in memory. Method: publish six versions
    // back to back; only the four before the current one remain.
    TestClock clock;
    adapters::MenuSource source(versioned("v1"),
                                adapters::MenuSourceSettings{.clock = clock.function()});
    for (int index = 2; index <= 7; ++index) source.publish(versioned("v" + std::to_string(index)));
    CHECK(adapters::retired_menus_max == 4);
    CHECK(source.retired_count() == adapters::retired_menus_max);
    CHECK(source.current()->version == "v7");
    CHECK(source.find("v1") == nullptr);
    CHECK(source.find("v2") == nullptr);
    for (const char* held : {"v3", "v4", "v5", "v6"}) {
        CAPTURE(held);
        CHECK(source.find(held) != nullptr);
    }
}

TEST_CASE("publishing the same version again retires nothing, and a revert is held once") {
    // Goal: a reload of unchanged files keeps no duplicate, and going back to v1 makes v1
    // current rather than both current and old.
    TestClock clock;
    adapters::MenuSource source(versioned("v1"),
                                adapters::MenuSourceSettings{.clock = clock.function()});
    source.publish(versioned("v1"));
    CHECK(source.retired_count() == 0);
    source.publish(versioned("v2"));
    source.publish(versioned("v1"));
    CHECK(source.current()->version == "v1");
    CHECK(source.retired_count() == 1);
    CHECK(source.find("v2") != nullptr);
}

}  // namespace hodi::test
