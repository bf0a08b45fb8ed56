// The error category of session stores.
#include "storage/session_store.hpp"

namespace hodi::storage {

namespace {
class StoreCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "hodi.session_store"; }
    std::string message(int value) const override {
        switch (static_cast<StoreError>(value)) {
            case StoreError::unavailable: return "session store unavailable";
            case StoreError::timeout: return "session store timed out";
            case StoreError::corrupt: return "stored session is corrupt";
        }
        return "unknown session store error";
    }
};
}  // namespace

const boost::system::error_category& store_category() {
    static const StoreCategory category;
    return category;
}

boost::system::error_code make_error_code(StoreError error) {
    return {static_cast<int>(error), store_category()};
}

}  // namespace hodi::storage
