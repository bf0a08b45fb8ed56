// Kenyan MSISDN normalisation, PROTOCOLS.md §4 (vectors/ke_phone_normalisation.json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hodi::engine {

enum class PhonePolicy : std::uint8_t {
    lenient,  ///< NSN ^[17]\d{8}$
    strict,   ///< libphonenumber's KE mobile ranges
};

struct Msisdn {
    std::string nsn;  ///< 9 digits, e.g. "712345678"

    std::string e164() const { return "+254" + nsn; }    ///< AT `to`, storage keys
    std::string daraja() const { return "254" + nsn; }   ///< Daraja PartyA/PartyB
    std::string display() const { return "0" + nsn; }    ///< what a subscriber reads
};

// nullopt for anything that is not a Kenyan mobile number.
std::optional<Msisdn> normalise_msisdn(std::string_view input,
                                       PhonePolicy policy = PhonePolicy::lenient);

}  // namespace hodi::engine
