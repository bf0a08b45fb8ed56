// The fake Daraja's state: the ids it hands out (in Daraja's formats, never repeating), the
// outcome rule, and answering a prompt once.
#include <array>
#include <cstdio>
#include <random>

#include "adapters/daraja/fake_daraja_impl.hpp"
#include "adapters/daraja/json_fields.hpp"
#include "adapters/daraja/request_fields.hpp"

namespace hodi::adapters::daraja {

int sandbox_result_code(std::int64_t amount_kes) {
    static constexpr std::array<std::int64_t, 6> codes{1, 1001, 1019, 1032, 1037, 2001};
    for (const std::int64_t code : codes) {
        if (amount_kes == code) return static_cast<int>(code);
    }
    return 0;
}

}  // namespace hodi::adapters::daraja

namespace hodi::adapters::daraja::fake {

namespace {

constexpr std::string_view receipt_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view token_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t token_chars_count = 28;  // as long as the token in the vectors

std::string pick(std::mt19937_64& random, std::string_view alphabet, std::size_t count) {
    std::string out;
    for (std::size_t index = 0; index < count; ++index) {
        out += alphabet[static_cast<std::size_t>(random() % alphabet.size())];
    }
    return out;
}

std::string text_of(const char* format, std::uint64_t a, std::uint64_t b) {
    std::array<char, 48> text{};
    std::snprintf(text.data(), text.size(), format, static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return text.data();
}

std::string_view desc_of(const std::string& code) {
    if (json_fields::all_digits(code) && code.size() < 10) return result_desc(std::stoi(code));
    return "The operator does not exist.";  // SFC_IC0003
}

int outcome(const std::map<std::int64_t, int>& by_phone,
            const std::map<std::int64_t, int>& by_amount, bool amount_is_code, std::int64_t phone,
            std::int64_t amount_kes) {
    if (const auto found = by_phone.find(phone); found != by_phone.end()) return found->second;
    if (const auto found = by_amount.find(amount_kes); found != by_amount.end()) {
        return found->second;
    }
    return amount_is_code ? sandbox_result_code(amount_kes) : 0;
}

}  // namespace

std::string new_request_id(State& state) {
    return text_of("%05llu-%08llu-1", state.ids() % 100'000, state.ids() % 100'000'000);
}

std::string new_receipt(State& state, std::chrono::system_clock::time_point now) {
    // M-Pesa receipts open with a letter for the year and one for the month ("TC..." in March
    // 2026, as in the recorded samples), then eight random characters.
    const std::string timestamp = kenya_timestamp(now);
    const int year = std::stoi(timestamp.substr(0, 4));
    const int month = std::stoi(timestamp.substr(4, 2));
    std::string prefix;
    prefix += static_cast<char>('A' + (year - 2007 + 26 * 4) % 26);
    prefix += static_cast<char>('A' + month - 1);
    for (;;) {
        std::string receipt = prefix + pick(state.ids, receipt_chars, 8);
        if (state.receipts.insert(receipt).second) return receipt;
    }
}

std::string new_conversation_id(State& state, std::string_view timestamp) {
    return "AG_" + std::string(timestamp.substr(0, 8)) + "_" +
           pick(state.ids, "0123456789abcdef", 20);
}

std::string new_checkout_id(State& state, std::string_view t, std::int64_t phone) {
    // ws_CO_ + DDMMYYYYHHmmss + three digits + the phone's nine-digit NSN, as Daraja's are.
    const std::string when = std::string(t.substr(6, 2)) + std::string(t.substr(4, 2)) +
                             std::string(t.substr(0, 4)) + std::string(t.substr(8, 6));
    const auto nsn = static_cast<std::uint64_t>(phone % 1'000'000'000);
    for (;;) {
        std::string id = "ws_CO_" + when + text_of("%03llu%09llu", state.sequence++ % 1000, nsn);
        if (!state.prompts.contains(id)) return id;
    }
}

std::string new_token() {
    std::random_device device;
    std::mt19937_64 random((static_cast<std::uint64_t>(device()) << 32) ^ device());
    return pick(random, token_chars, token_chars_count);
}

int stk_outcome(const FakeOutcomes& outcomes, std::int64_t phone, std::int64_t amount_kes) {
    return outcome(outcomes.stk_by_phone, outcomes.stk_by_amount, outcomes.amount_is_code, phone,
                   amount_kes);
}

int b2c_outcome(const FakeOutcomes& outcomes, std::int64_t phone, std::int64_t amount_kes) {
    return outcome(outcomes.b2c_by_phone, outcomes.b2c_by_amount, outcomes.amount_is_code, phone,
                   amount_kes);
}

std::optional<Callback> settle_prompt(FakeDaraja::Impl& impl, const std::string& checkout_id,
                                      const std::string& code) {
    State& state = impl.state;
    const auto found = state.prompts.find(checkout_id);
    if (found == state.prompts.end() || found->second.result) return std::nullopt;
    Prompt& prompt = found->second;
    prompt.result = code;
    prompt.result_desc = desc_of(code);
    ++state.ledger.stk_results[code];
    if (code == "0") {
        const auto now = impl.settings.clock();
        prompt.receipt = new_receipt(state, now);
        prompt.transaction_date = kenya_timestamp(now);
        state.ledger.collected_cents += prompt.amount_kes * 100;
        Movement movement;
        movement.receipt = prompt.receipt;
        movement.amount_kes = prompt.amount_kes;
        movement.debit_party = std::to_string(prompt.phone) + " - " + customer_name(prompt.phone);
        movement.credit_party =
            std::to_string(impl.settings.stk_shortcode) + " - " + impl.settings.business_name;
        movement.conversation_id = prompt.checkout_request_id;
        movement.reason_type = "Pay Bill Online";
        movement.initiated = prompt.transaction_date;
        movement.finalised = prompt.transaction_date;
        state.movements[prompt.receipt] = std::move(movement);
    }
    return Callback{CallbackKind::stk, prompt.callback_url, stk_callback_body(prompt), code,
                    prompt.checkout_request_id};
}

}  // namespace hodi::adapters::daraja::fake
