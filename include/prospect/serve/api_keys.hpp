// API keys for `prospect serve`: random tokens shown once, kept in the store only as their
// BLAKE2b hash (libsodium), each with a role; revocable. The roles are the ones every part of
// prospect shares: read < score < write < admin, each allowed what the ones before it are.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace prospect {

class Store;

enum class Role : uint8_t { kRead, kScore, kWrite, kAdmin };
std::string_view RoleName(Role role);
/// "read", "score", "write" or "admin"; kInvalidArgument listing them otherwise.
Role ParseRole(std::string_view name);

struct ApiKeyInfo {
  std::string id;  ///< "k" + 8 hex digits: what list and revoke name; part of the token
  Role role = Role::kRead;
  std::string label;  ///< who or what the key is for (no secrets, no PII)
  std::string created_at;
  bool revoked = false;
};

struct CreatedApiKey {
  ApiKeyInfo info;
  std::string token;  ///< "pk_<id>_<64 hex>": shown once, never stored
};

/// A new key with `role`, stored hashed. Audited (its id and role, never the token).
CreatedApiKey CreateApiKey(Store& store, Role role, const std::string& label);
/// Marks key `id` revoked (a server stops accepting it at its next reload). kNotFound naming
/// the id and listing the keys. Audited.
void RevokeApiKey(Store& store, const std::string& id);
/// Every key, revoked ones included, oldest first.
std::vector<ApiKeyInfo> ListApiKeys(Store& store);

/// The live keys of a store, by hash, for checking requests. Immutable once loaded; Find is
/// thread-safe and allocates nothing.
class KeyRing {
 public:
  static KeyRing Load(Store& store);
  /// The role of `token`, or nullopt for an unknown or revoked key.
  std::optional<Role> Find(std::string_view token) const;
  size_t size() const { return roles_.size(); }

 private:
  using Digest = std::array<uint8_t, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const;
  };
  std::unordered_map<Digest, Role, DigestHash> roles_;
};

}  // namespace prospect
