// `hodi sim`: a phone in the terminal. Dials a running hodi over HTTP exactly as Africa's Talking
// would, shows each screen, reads the reply from stdin; or plays a script (--script FILE).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/sim.hpp"
#include "app/sim_prompts.hpp"
#include "app/sim_script.hpp"

namespace hodi::app {

namespace {

struct SimOptions {
    std::string url = "http://127.0.0.1:8080/ussd/at";
    std::string daraja = "http://127.0.0.1:8091";  // hodi serve's sandbox Daraja
    Handset handset;
    std::string script;
};

enum class Next : std::uint8_t { dial, quit };

// After a screen that announced one, the prompt hodi pushes once the session has ended.
constexpr std::chrono::seconds announced_prompt_wait{10};

bool mentions_mpesa(std::string_view screen) {
    return screen.find("M-Pesa") != std::string_view::npos ||
           screen.find("M-PESA") != std::string_view::npos;
}

// Shows the phone's M-Pesa prompt, if one comes, and lets the tester type the PIN or cancel.
void answer_prompts(PromptDesk& desk, const Handset& handset, std::string_view screen) {
    const auto wait = mentions_mpesa(screen) ? std::chrono::milliseconds(announced_prompt_wait)
                                             : std::chrono::milliseconds(0);
    if (wait.count() > 0) std::cout << "(waiting for the M-Pesa prompt...)\n" << std::flush;
    const PromptWait waited = desk.next_prompt(handset.phone, wait);
    if (!waited.prompt) {
        if (wait.count() > 0) std::cout << "(" << waited.error << ")\n";
        return;
    }
    std::cout << frame_prompt(*waited.prompt) << "M-Pesa PIN ([c] cancels)> " << std::flush;
    std::string input;
    if (!std::getline(std::cin, input)) input = "c";
    // A PIN is never echoed back into the transcript.
    std::optional<std::string> pin;
    if (input != "c" && input != "cancel") pin = input;
    const PromptAnswer answer = desk.answer(waited.prompt->checkout_request_id, pin,
                                            std::chrono::seconds{30});
    if (!answer.ok()) {
        std::cout << "M-Pesa: " << answer.error << "\n";
        return;
    }
    std::cout << "M-Pesa: " << answer.result_desc << " (ResultCode " << answer.result_code
              << ")\n";
}

// After an END screen or a failed hop: the phone is idle until the tester dials again.
Next ask_to_redial() {
    std::cout << "[Enter] dial again, [q] quit: " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line) || line == "q" || line == "quit") return Next::quit;
    return Next::dial;
}

// Plays one session interactively; returns false when the last hop failed.
bool play_session(const SimOptions& options, HttpGateway& gateway, PromptDesk* desk,
                  std::mt19937_64& random, Next& next) {
    AtSession session(new_session_id(random), options.handset);
    HopReply reply = gateway(session.dial());
    for (;;) {
        if (!reply.ok()) {
            std::cout << "error: " << reply.error << "\n";
            next = ask_to_redial();
            return false;
        }
        std::cout << frame_screen(reply.screen, reply.end);
        if (reply.end) {
            if (desk != nullptr) answer_prompts(*desk, options.handset, reply.screen);
            next = ask_to_redial();
            return true;
        }
        std::cout << "reply> " << std::flush;
        std::string input;
        if (!std::getline(std::cin, input)) {
            std::cout << "\n";
            next = Next::quit;
            return true;
        }
        // Typed replies echo on a terminal; piped ones would vanish from the transcript.
        if (isatty(STDIN_FILENO) == 0) std::cout << input << "\n";
        reply = gateway(session.send(input));
    }
}

int run_interactive(const SimOptions& options) {
    HttpGateway gateway(options.url);
    std::mt19937_64 random(std::random_device{}());
    std::cout << "Dialling " << options.handset.service_code << " from "
              << options.handset.phone << " via " << options.url << " (Ctrl-D quits)\n";
    // With the sandbox Daraja the phone's prompts wait for the tester; without it (hodi on
    // real Daraja, or elsewhere) the phone shows screens only.
    std::optional<HttpPromptDesk> desk;
    desk.emplace(options.daraja);
    if (const std::string error = desk->hold(options.handset.phone, true); !error.empty()) {
        std::cout << "(no sandbox Daraja at " << options.daraja << ": " << error
                  << "; M-Pesa prompts are not shown)\n";
        desk.reset();
    }
    bool last_ok = true;
    for (Next next = Next::dial; next == Next::dial;) {
        last_ok = play_session(options, gateway, desk ? &*desk : nullptr, random, next);
    }
    if (desk) desk->hold(options.handset.phone, false);
    return last_ok ? 0 : 1;
}

int run_script_file(const SimOptions& options) {
    std::ifstream file(options.script, std::ios::binary);
    if (!file) {
        std::cerr << options.script << ": cannot read the script\n";
        return 2;
    }
    std::ostringstream text;
    text << file.rdbuf();
    const ScriptParse parsed = parse_script(text.str(), options.script);
    if (!parsed.errors.empty()) {
        for (const auto& error : parsed.errors) std::cerr << error << "\n";
        return 2;
    }
    HttpGateway http(options.url);
    const Gateway gateway = [&http](const AtRequest& request) { return http(request); };
    std::optional<HttpPromptDesk> desk;
    if (parsed.script.uses_prompts) desk.emplace(options.daraja);
    const ScriptRun run =
        run_script(parsed.script, options.handset, gateway, std::cout, desk ? &*desk : nullptr);
    return run.passed ? 0 : 1;
}

int run_sim(SimOptions options) {
    options.handset.phone = at_phone_number(options.handset.phone);
    if (!adapters::parse_http_url(options.url)) {
        std::cerr << "--url: not an http:// URL: " << options.url << "\n";
        return 2;
    }
    if (!adapters::parse_http_url(options.daraja)) {
        std::cerr << "--daraja: not an http:// URL: " << options.daraja << "\n";
        return 2;
    }
    return options.script.empty() ? run_interactive(options) : run_script_file(options);
}

}  // namespace

void add_sim_command(CLI::App& cli, int& exit_code) {
    auto options = std::make_shared<SimOptions>();
    CLI::App* command = cli.add_subcommand(
        "sim", "A phone in the terminal: dial a running hodi as Africa's Talking would");
    command->add_option("--url", options->url, "hodi's AT USSD endpoint")
        ->envname("HODI_SIM_URL")
        ->capture_default_str();
    command->add_option("--daraja", options->daraja,
                        "hodi serve's sandbox Daraja (payments.sandbox_listen): M-Pesa prompts")
        ->envname("HODI_SIM_DARAJA")
        ->capture_default_str();
    command->add_option("--phone", options->handset.phone, "caller MSISDN, E.164")
        ->capture_default_str();
    command->add_option("--code", options->handset.service_code, "service code dialled")
        ->capture_default_str();
    command->add_option("--network", options->handset.network_code,
                        "networkCode (99999 is AT's sandbox)")
        ->capture_default_str();
    command->add_option("--script", options->script,
                        "play this script instead of reading stdin (see examples/README.md)");
    command->callback([options, &exit_code] { exit_code = run_sim(*options); });
}

}  // namespace hodi::app
