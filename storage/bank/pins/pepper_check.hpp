// Is this the pepper the bank's PIN hashes were made with? A PIN hashed with another pepper
// reads as wrong, so a lost or swapped pepper file would quietly lock every subscriber out one
// wrong PIN at a time. The bank keeps a check value (HMAC-SHA-256 of a fixed text, keyed with
// the pepper) and startup compares it.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/bank/sql/connection.hpp"

namespace hodi::storage {

enum class PepperFit {
    matches,   ///< the bank's check value is this pepper's
    recorded,  ///< the bank had none; this pepper's is recorded now
    differs,   ///< the bank's hashes were made with another pepper
};

// Compares `pepper` with the bank's check value, recording it when there is none.
boost::system::result<PepperFit> fit_pepper(Connection& db, std::string_view pepper,
                                            std::int64_t now);

// How many subscribers have a PIN: a bank with none can take a new pepper, one with any
// cannot do without the pepper their hashes were made with.
boost::system::result<std::int64_t> users_with_pins(Connection& db);

// The check value of `pepper`, as hex (exposed for tests).
std::string pepper_check_value(std::string_view pepper);

}  // namespace hodi::storage
