// The audit log: an append-only, hash-chained record of what happened to whom (registrations,
// PIN locks and unlocks, loans approved, M-Pesa legs settled, operator actions). Appended in
// the same transaction as the change it records, so the log and the book never disagree.
// Like ledger.hpp, these run inside a transaction the caller owns; SQLite failures throw.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "storage/bank/sql/audit_head.hpp"
#include "storage/bank/sql/connection.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/bank/money/ledger.hpp"

namespace hodi::storage {

struct AuditEvent {
    std::string actor;    ///< who did it: "subscriber", "operator", "system", "sandbox"
    std::string event;    ///< what happened, dotted: "pin.locked", "loan.approved", ...
    std::string subject;  ///< whom or what it concerns: a phone number, a transfer id
    std::string detail;   ///< short free text; never a PIN
};

// Appends one event, chained to the previous one.
boost::system::result<void> append_audit(Connection& db, const AuditEvent& event, Seconds now);

// The chain's anchor: the prev_hash of the first event.
inline constexpr std::string_view audit_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256, lowercase hex, over `prev_hash` followed by each of seq, at (Unix seconds), actor,
// event, subject, detail as a netstring ("<byte count>:<bytes>,"), so no two different rows
// encode alike whatever their text holds. With a `key`, HMAC-SHA-256 keyed with it over the
// same bytes: a writer of the database who lacks the key (derived from the PIN pepper, kept
// outside the database) cannot re-chain edited or deleted events.
std::string audit_hash(std::string_view prev_hash, std::int64_t seq, Seconds at,
                       const AuditEvent& event, std::string_view key = {});

// The chain's key for a bank whose PIN pepper is `pepper`.
std::string audit_key_from_pepper(std::string_view pepper);

// Keys every event the store's writer appends from now on (and keeps the head file beside the
// database). Whatever appends audit events for a bank calls it first: the Bank, the operator's
// commands.
boost::system::result<void> key_audit_chain(Store& store, std::string_view pepper);

// The head file's functions: storage/bank/sql/audit_head.hpp.

struct AuditCheck {
    std::int64_t events = 0;              ///< rows read (up to and including a broken one)
    std::optional<std::int64_t> broken;   ///< the first event whose link or hash is wrong
    std::string reason;                   ///< why, one phrase; empty when intact
};

// Walks the whole chain in seq order: seqs run 1, 2, 3 ... without gaps, each prev_hash is the
// previous row's hash (genesis for the first), each hash matches its row: keyed rows with
// `key` (no key: a keyed row counts as broken, it cannot be checked), rows written before the
// chain was keyed with plain SHA-256, and no unkeyed row after a keyed one. With a `head`
// (read_audit_head), the event it names must be there with that hash: a chain cut short or
// re-chained behind it is broken.
boost::system::result<AuditCheck> verify_audit(Connection& db, std::string_view key = {},
                                               const std::optional<Connection::AuditHead>& head =
                                                   std::nullopt);

}  // namespace hodi::storage
