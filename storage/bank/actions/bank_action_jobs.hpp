// The SQL halves of the catalogue actions: each builds a Store job answering an ActionResult.
// Built by plain functions, never as lambdas inside a co_await expression (g++ 12 destroys
// such temporaries' captures twice).
#pragma once

#include <string>

#include "engine/action.hpp"
#include "storage/bank/sql/store.hpp"
#include "storage/bank/money/users.hpp"

namespace hodi::storage {

using ActionJob = DbFn<engine::ActionResult>;

DbFn<std::optional<User>> find_user_job_for_actions(std::string phone);
ActionJob lookup_job(std::string phone);
// `proven`: the session proved the PIN, which a registered subscriber's change needs.
ActionJob language_job(std::string phone, engine::Language language, bool proven);
ActionJob balance_job(std::string phone);
ActionJob statement_job(std::string phone);
// A pending transfer from mpesa_clearing to `credit_code`, with the STK push row that settles
// it queued in the same transaction (to the account owner's phone).
// M-Pesa prompts (STK pushes) one phone may be sent per hour by top-ups, by default
// (payments.prompts_per_phone_per_hour): a top-up may ask no PIN (M-Pesa asks its own), so
// without a cap anyone dialling as a number could flood its owner's phone with prompts. Past
// it wallet.topup answers `limited`.
inline constexpr int mpesa_prompts_per_phone_per_hour = 5;

// wallet.topup: mpesa_in_job unless the phone had `prompts_max` prompts in the last hour (a
// repeat of a hop already applied is answered as before, never limited). 0: no cap.
ActionJob topup_job(std::string transfer_id, std::string phone, Cents amount, Seconds now,
                    int prompts_max = mpesa_prompts_per_phone_per_hour);

ActionJob mpesa_in_job(std::string transfer_id, std::string credit_code, Cents amount,
                       std::string kind, Seconds now);
// The subscriber's goals with what each holds, from one statement (list_goals).
ActionJob goals_job(std::string phone);
ActionJob create_goal_job(std::int64_t user_id, std::string phone, std::string name,
                          Cents target, int weeks, Seconds now);
// Moves between the wallet and goal `number`; deposit when `into_goal`.
ActionJob goal_move_job(std::string transfer_id, std::int64_t user_id, std::string phone,
                        int number, Cents amount, bool into_goal, Seconds now);

}  // namespace hodi::storage
