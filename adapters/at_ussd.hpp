// Africa's Talking USSD over HTTP (PROTOCOLS.md §1): POST /ussd/at answers a hop with
// "CON ..."/"END ...", and POST /ussd/at/events takes the end-of-session notification. With a
// callback token the routes are /ussd/at/TOKEN and /ussd/at/TOKEN/events, and the bare ones 404.
#pragma once

#include <cstddef>

#include "adapters/callback_guard.hpp"
#include "adapters/router.hpp"
#include "adapters/ussd_hop.hpp"

namespace hodi::adapters {

inline constexpr std::size_t session_id_chars_max = 128;  // AT sends "ATUid_" + 32 hex

// Registers the hop and event routes on `router`, guarded by `auth` (a request with a wrong
// token is answered 404, one from a source outside the allowlist 403). The routes share
// `services` (read-only, so thread-safe); publishing a menu to services.menus reaches them at
// once.
void add_ussd_routes(Router& router, HopServices services, CallbackAuthSettings auth = {});

}  // namespace hodi::adapters
