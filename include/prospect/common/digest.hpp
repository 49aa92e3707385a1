// SHA-256 as lower-case hex (libsodium): audit-log chaining and ad-platform identifier hashes.
#pragma once

#include <string>
#include <string_view>

namespace prospect {

/// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

}  // namespace prospect
