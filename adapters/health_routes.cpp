// Liveness and readiness answers: plain text, no I/O beyond asking the store.
#include "adapters/health_routes.hpp"

#include <functional>

#include "engine/assert.hpp"

namespace hodi::adapters {

namespace {

HttpReply text_reply(int status, std::string body) {
    return HttpReply{.status = status, .content_type = "text/plain", .body = std::move(body)};
}

net::awaitable<HttpReply> handle_health(HttpRequest request, PathParams params) {
    (void)request;
    (void)params;
    co_return text_reply(200, "ok");
}

net::awaitable<HttpReply> handle_ready(std::shared_ptr<const storage::SessionStore> store,
                                       HttpRequest request, PathParams params) {
    (void)request;
    (void)params;
    co_return store->ready() ? text_reply(200, "ready")
                             : text_reply(503, "session store not ready");
}

}  // namespace

void add_health_routes(Router& router, std::shared_ptr<const storage::SessionStore> store) {
    HODI_ASSERT(store != nullptr);
    router.add(HttpMethod::get, "/healthz", handle_health);
    router.add(HttpMethod::get, "/readyz", std::bind_front(handle_ready, std::move(store)));
}

}  // namespace hodi::adapters
