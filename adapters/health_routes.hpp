// GET /healthz (the process answers) and GET /readyz (it can serve: the session store is
// ready), for load balancers and orchestrators.
#pragma once

#include <memory>

#include "adapters/router.hpp"
#include "storage/session_store.hpp"

namespace hodi::adapters {

// Registers GET /healthz and GET /readyz on `router` (HEAD too, through the router). /readyz
// answers 503 while `store` says it is not ready.
void add_health_routes(Router& router, std::shared_ptr<const storage::SessionStore> store);

}  // namespace hodi::adapters
