// The book-wide overdue sweep: penalties for loans whose borrowers never dial again.

#include <vector>

#include "storage/bank/money/loans.hpp"

namespace hodi::storage {

boost::system::result<std::size_t> charge_all_overdue_penalties(Connection& db, Seconds now,
                                                                std::size_t users_max) {
    Prepared query(db,
                   "SELECT user_id FROM loans WHERE state = 'open' AND due_at < ? "
                   "AND overdue_at IS NULL GROUP BY user_id ORDER BY min(due_at) "
                   "LIMIT ?");
    query.bind(1, unix_seconds(now));
    query.bind(2, static_cast<std::int64_t>(users_max));
    std::vector<std::int64_t> users;
    while (query.executeStep()) users.push_back(query.getColumn(0).getInt64());
    for (const std::int64_t user : users) {
        if (auto charged = charge_overdue_penalties(db, user, now); !charged) {
            return charged.error();
        }
    }
    return users.size();
}

}  // namespace hodi::storage
