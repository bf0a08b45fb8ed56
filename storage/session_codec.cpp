// Binary encoding of engine::Session; see session_codec.hpp for the format.
#include "storage/session_codec.hpp"

#include <limits>

#include "storage/session_store.hpp"

namespace hodi::storage {

namespace {

using engine::Session;

class Writer {
public:
    explicit Writer(std::string& out) : out_(out) {}

    void varint(std::uint64_t value) {
        while (value >= 0x80) {
            out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
            value >>= 7;
        }
        out_.push_back(static_cast<char>(value));
    }
    void signed_varint(std::int64_t value) {
        // Zigzag keeps small negative numbers short, as for protobuf's sint64.
        varint((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
    }
    void fixed64(std::uint64_t value) {
        for (int shift = 0; shift < 64; shift += 8) {
            out_.push_back(static_cast<char>((value >> shift) & 0xff));
        }
    }
    void byte(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
    void text(std::string_view value) {
        varint(value.size());
        out_.append(value);
    }
    void variables(const engine::Variables& values) {
        varint(values.size());
        for (const auto& [name, value] : values) {
            text(name);
            text(value);
        }
    }

private:
    std::string& out_;
};

// Reads the encoding back. Every read checks the bytes left first; the first failure sticks,
// so decode() reads straight through and checks ok() once at the end.
class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}

    bool ok() const { return ok_; }
    bool at_end() const { return bytes_.empty(); }

    std::uint64_t varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (bytes_.empty()) return fail();
            const auto part = static_cast<std::uint8_t>(bytes_.front());
            bytes_.remove_prefix(1);
            value |= static_cast<std::uint64_t>(part & 0x7f) << shift;
            if ((part & 0x80) == 0) return value;
        }
        return fail();
    }
    std::int64_t signed_varint() {
        const std::uint64_t raw = varint();
        return static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
    }
    template <typename Integer>
    Integer bounded(std::uint64_t max = std::numeric_limits<Integer>::max()) {
        const std::uint64_t value = varint();
        if (value > max) return static_cast<Integer>(fail());
        return static_cast<Integer>(value);
    }
    std::uint64_t fixed64() {
        if (bytes_.size() < 8) return fail();
        std::uint64_t value = 0;
        for (int index = 0; index < 8; ++index) {
            value |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes_[index]))
                     << (8 * index);
        }
        bytes_.remove_prefix(8);
        return value;
    }
    std::uint8_t byte() {
        if (bytes_.empty()) return static_cast<std::uint8_t>(fail());
        const auto value = static_cast<std::uint8_t>(bytes_.front());
        bytes_.remove_prefix(1);
        return value;
    }
    std::string text() {
        const std::uint64_t size = varint();
        if (size > bytes_.size()) return fail(), std::string();
        std::string value(bytes_.substr(0, size));
        bytes_.remove_prefix(size);
        return value;
    }
    // A list length; each element takes at least one byte, which bounds the allocation a
    // garbled length can cause by the size of the input.
    std::size_t count() { return bounded<std::size_t>(bytes_.size()); }
    engine::Variables variables() {
        engine::Variables values;
        const std::size_t size = count();
        for (std::size_t index = 0; ok_ && index < size; ++index) {
            std::string name = text();
            std::string value = text();
            values.insert_or_assign(std::move(name), std::move(value));
        }
        return values;
    }

private:
    std::uint64_t fail() {
        ok_ = false;
        bytes_ = {};
        return 0;
    }

    std::string_view bytes_;
    bool ok_ = true;
};

// LastReply flags, one bit each.
constexpr std::uint8_t reply_valid_bit = 1;
constexpr std::uint8_t reply_end_bit = 2;

engine::TimePoint read_time(Reader& reader) {
    return engine::TimePoint(engine::Clock::duration(reader.signed_varint()));
}

}  // namespace

std::string encode_session(const Session& session) {
    std::string out;
    out.reserve(64 + session.id.size() + session.phone.size() + session.node_id.size() +
                session.menu_version.size() + session.last_reply.screen.size() +
                16 * (session.history.size() + session.variables.size()));
    Writer writer(out);
    writer.byte(session_codec_version);
    writer.text(session.id);
    writer.text(session.phone);
    writer.text(session.menu_version);
    writer.text(session.node_id);
    writer.varint(session.page);
    writer.byte(static_cast<std::uint8_t>(session.language));
    writer.varint(session.history.size());
    for (const auto& frame : session.history) {
        writer.text(frame.node_id);
        writer.varint(frame.page);
    }
    writer.varint(session.history_floor);
    writer.varint(session.tries);
    writer.variables(session.variables);
    writer.variables(session.secrets);
    writer.text(session.notice);
    writer.signed_varint(session.started.time_since_epoch().count());
    writer.signed_varint(session.last_seen.time_since_epoch().count());
    writer.varint(session.hops);
    const auto& reply = session.last_reply;
    writer.fixed64(reply.text_hash);
    writer.varint(reply.text_size);
    writer.byte(static_cast<std::uint8_t>((reply.valid ? reply_valid_bit : 0) |
                                          (reply.end ? reply_end_bit : 0)));
    writer.text(reply.screen);
    return out;
}

boost::system::result<Session> decode_session(std::string_view bytes) {
    Reader reader(bytes);
    if (reader.byte() != session_codec_version) return make_error_code(StoreError::corrupt);
    Session session;
    session.id = reader.text();
    session.phone = reader.text();
    session.menu_version = reader.text();
    session.node_id = reader.text();
    session.page = reader.bounded<std::uint16_t>();
    const std::uint8_t language = reader.byte();
    if (language >= engine::language_count) return make_error_code(StoreError::corrupt);
    session.language = static_cast<engine::Language>(language);
    const std::size_t frames = reader.count();
    session.history.reserve(frames);
    for (std::size_t index = 0; reader.ok() && index < frames; ++index) {
        engine::Frame frame;
        frame.node_id = reader.text();
        frame.page = reader.bounded<std::uint16_t>();
        session.history.push_back(std::move(frame));
    }
    session.history_floor = reader.bounded<std::uint16_t>();
    session.tries = reader.bounded<std::uint8_t>();
    session.variables = reader.variables();
    session.secrets = reader.variables();
    session.notice = reader.text();
    session.started = read_time(reader);
    session.last_seen = read_time(reader);
    session.hops = reader.bounded<std::uint32_t>();
    auto& reply = session.last_reply;
    reply.text_hash = reader.fixed64();
    reply.text_size = reader.bounded<std::uint32_t>();
    const std::uint8_t flags = reader.byte();
    if ((flags & ~(reply_valid_bit | reply_end_bit)) != 0) {
        return make_error_code(StoreError::corrupt);
    }
    reply.valid = (flags & reply_valid_bit) != 0;
    reply.end = (flags & reply_end_bit) != 0;
    reply.screen = reader.text();
    if (!reader.ok() || !reader.at_end()) return make_error_code(StoreError::corrupt);
    return session;
}

}  // namespace hodi::storage
