// A compact, versioned binary encoding of engine::Session, for stores that keep sessions as
// bytes (Redis). The first byte is the format version; a reader refuses versions it does not
// know, so nodes running different releases never misread each other's sessions.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/session.hpp"

namespace hodi::storage {

// The format written by encode_session. Bump it whenever the layout changes.
inline constexpr std::uint8_t session_codec_version = 1;

// The session as bytes: version, then every field in declaration order. Integers are LEB128
// varints, strings and lists are length-prefixed, times are signed clock ticks (zigzag).
std::string encode_session(const engine::Session& session);

// The session the bytes encode, or StoreError::corrupt for an unknown version, truncated or
// trailing bytes, or out-of-range values. Never reads past `bytes`, whatever they hold.
boost::system::result<engine::Session> decode_session(std::string_view bytes);

}  // namespace hodi::storage
