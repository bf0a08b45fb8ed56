// What the fake Daraja's tests share: the fake on a real HttpServer on 127.0.0.1:0 with its own
// io thread, a poster that records callbacks (and can refuse them), and blocking calls with the
// Authorization header Daraja needs (HttpClient sends none, so they go over raw sockets).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/daraja/fake_daraja.hpp"
#include "adapters/daraja/requests.hpp"
#include "adapters/http_server.hpp"
#include "adapters/router.hpp"

namespace hodi::test {

namespace net = boost::asio;
using adapters::daraja::FakeDarajaSettings;

// The callback URLs the tests hand the fake; nothing listens there: the recorder answers.
inline constexpr std::string_view stk_callback_url = "http://127.0.0.1:9/cb/stk";
inline constexpr std::string_view b2c_result_url = "https://hodi.example/cb/b2c/result";
inline constexpr std::string_view b2c_timeout_url = "https://hodi.example/cb/b2c/timeout";
inline constexpr std::string_view status_result_url = "https://hodi.example/cb/status/result";
inline constexpr std::string_view c2b_confirm_url = "https://hodi.example/cb/c2b/confirm";
inline constexpr std::string_view c2b_validate_url = "https://hodi.example/cb/c2b/validate";
inline constexpr std::int64_t test_phone = 254712345678;

// Records what the fake POSTs. Thread-safe: the fake's strand writes, the test thread reads.
class CallbackRecorder {
  public:
    struct Call {
        std::string url;
        std::string body;
    };
    std::vector<Call> calls() const;
    std::vector<Call> calls_to(std::string_view url) const;
    // Waits until `count` calls reached `url` ("" for any); false when `timeout` passed first.
    bool wait_for(std::size_t count, std::string_view url = "",
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000)) const;

    // Called by the poster: records the call, then answers it.
    adapters::daraja::CallbackAnswer record(std::string url, std::string body);

    void refuse_next(int count);  ///< answer the next `count` calls as a busy receiver would
    // How C2B validation is answered: not at all (`answered` false), or with `reply`.
    void answer_validation(bool answered, std::string reply);

  private:
    int refuse_remaining_ = 0;
    bool validation_answered_ = true;
    std::string validation_reply_ = R"({"ResultCode":"0","ResultDesc":"Accepted"})";
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<Call> calls_;
};

adapters::daraja::CallbackPoster recording_poster(std::shared_ptr<CallbackRecorder> recorder);

// Settings for tests: short delays and backoffs, so each test takes well under a second.
FakeDarajaSettings fast_settings();

struct DarajaReply {
    int status = 0;  ///< 0: no answer before the wait ended
    std::string body;
    bool closed = false;
};

// The fake served on a real loopback server with one io thread; stopped and joined on
// destruction.
class FakeRig {
  public:
    explicit FakeRig(FakeDarajaSettings settings = fast_settings());
    ~FakeRig();
    FakeRig(const FakeRig&) = delete;
    FakeRig& operator=(const FakeRig&) = delete;

    std::uint16_t port() const { return server_->port(); }
    adapters::daraja::FakeDaraja& fake() { return *fake_; }
    CallbackRecorder& recorder() { return *recorder_; }
    const FakeDarajaSettings& settings() const { return fake_->settings(); }

    // One request on a fresh connection; `authorization` is the whole header value.
    DarajaReply call(std::string_view method, std::string_view target,
                     std::string_view authorization, std::string_view body,
                     std::chrono::milliseconds wait = std::chrono::milliseconds(5'000));
    DarajaReply post(std::string_view target, std::string_view body, std::string_view token);
    std::string token();  ///< a fresh access token (the test fails without one)

    // hodi's own request bodies, filled from the fake's settings.
    adapters::daraja::StkPushRequest stk_request(std::int64_t amount_kes,
                                                 std::int64_t phone = test_phone) const;
    std::string stk_query(std::string_view checkout_request_id) const;
    adapters::daraja::B2cRequest b2c_request(std::string originator_id,
                                             std::int64_t amount_kes) const;
    // Pushes and returns the CheckoutRequestID (the test fails when it is refused).
    std::string push(std::string_view token, std::int64_t amount_kes,
                     std::int64_t phone = test_phone);

  private:
    net::io_context io_;
    std::shared_ptr<CallbackRecorder> recorder_;
    std::unique_ptr<adapters::daraja::FakeDaraja> fake_;
    std::shared_ptr<adapters::Router> router_;
    std::unique_ptr<adapters::HttpServer> server_;
    std::thread thread_;
};

// Polls `condition` until it holds or `timeout` passes: the fake books a delivery in its ledger
// only once the recorder has answered it.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2'000));

// A JSON body with `key` set to `value` (raw JSON), or removed when `value` is empty.
std::string with_field(std::string_view body, std::string_view key, std::string_view value);

}  // namespace hodi::test
