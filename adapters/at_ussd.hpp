// Africa's Talking USSD over HTTP (PROTOCOLS.md §1): POST /ussd/at answers a hop with
// "CON ..."/"END ...", and POST /ussd/at/events takes the end-of-session notification.
#pragma once

#include <cstddef>

#include "adapters/router.hpp"
#include "adapters/ussd_hop.hpp"

namespace hodi::adapters {

inline constexpr std::size_t session_id_chars_max = 128;  // AT sends "ATUid_" + 32 hex

// Registers POST /ussd/at and POST /ussd/at/events on `router`. The routes share `services`
// (read-only, so thread-safe); publishing a menu to services.menus reaches them at once.
void add_ussd_routes(Router& router, HopServices services);

}  // namespace hodi::adapters
