// Keys are stored objects of kind "api_key" named by their id; each change (revocation) is a
// new version, so the history stays. The token's secret part never reaches the store or a log.
#include "prospect/serve/api_keys.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/store/store.hpp"

namespace prospect {
namespace {

constexpr const char* kKind = "api_key";
constexpr std::string_view kRoleNames[] = {"read", "score", "write", "admin"};

void InitSodium() {
  if (sodium_init() < 0) Fail(ErrorCode::kInternal, "libsodium failed to initialise");
}

std::string Hex(const uint8_t* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::array<uint8_t, 32> HashToken(std::string_view token) {
  std::array<uint8_t, 32> out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(token.data()),
                     token.size(), nullptr, 0);
  return out;
}

ApiKeyInfo InfoOf(const StoredObject& o) {
  ApiKeyInfo info;
  info.id = o.name;
  info.role = ParseRole(o.meta.value("role", "read"));
  info.label = o.meta.value("label", "");
  info.created_at = o.meta.value("created_at", o.created_at);
  info.revoked = o.meta.value("revoked", false);
  return info;
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

Role ParseRole(std::string_view name) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  Fail(ErrorCode::kInvalidArgument, "unknown role \"{}\": expected read, score, write or admin",
       name);
}

CreatedApiKey CreateApiKey(Store& store, Role role, const std::string& label) {
  InitSodium();
  uint8_t id_bytes[4];
  uint8_t secret[32];
  randombytes_buf(id_bytes, sizeof id_bytes);
  randombytes_buf(secret, sizeof secret);
  CreatedApiKey out;
  out.info.id = "k" + Hex(id_bytes, sizeof id_bytes);
  out.info.role = role;
  out.info.label = label;
  out.token = "pk_" + out.info.id + "_" + Hex(secret, sizeof secret);
  const auto digest = HashToken(out.token);
  const nlohmann::json meta = {{"role", RoleName(role)},
                               {"label", label},
                               {"hash", Hex(digest.data(), digest.size())},
                               {"revoked", false}};
  store.PutObject(kKind, out.info.id, meta, "");
  out.info.created_at = store.GetObject(kKind, out.info.id)->created_at;
  store.Audit("api_key.create", fmt::format("id={} role={}", out.info.id, RoleName(role)));
  return out;
}

void RevokeApiKey(Store& store, const std::string& id) {
  StoredObject key =
      store.GetObjectOrFail(kKind, id, 0, "API key", "API keys", "prospect keys create");
  key.meta["revoked"] = true;
  store.PutObject(kKind, id, key.meta, "");
  store.Audit("api_key.revoke", fmt::format("id={}", id));
}

std::vector<ApiKeyInfo> ListApiKeys(Store& store) {
  std::vector<ApiKeyInfo> out;
  for (const auto& o : store.ListObjects(kKind)) out.push_back(InfoOf(o));
  std::sort(out.begin(), out.end(), [](const ApiKeyInfo& a, const ApiKeyInfo& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return out;
}

size_t KeyRing::DigestHash::operator()(const Digest& d) const {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // a cryptographic hash: any 8 bytes are uniform
  return h;
}

KeyRing KeyRing::Load(Store& store) {
  InitSodium();
  KeyRing ring;
  for (const auto& o : store.ListObjects(kKind)) {
    if (o.meta.value("revoked", false)) continue;
    const std::string hex = o.meta.value("hash", "");
    Digest digest;
    size_t len = 0;
    if (sodium_hex2bin(digest.data(), digest.size(), hex.data(), hex.size(), nullptr, &len,
                       nullptr) != 0 ||
        len != digest.size()) {
      Fail(ErrorCode::kInvalidData, "API key {} has a malformed hash in the store", o.name);
    }
    ring.roles_.emplace(digest, ParseRole(o.meta.value("role", "")));
  }
  return ring;
}

std::optional<Role> KeyRing::Find(std::string_view token) const {
  if (token.empty() || roles_.empty()) return std::nullopt;
  const auto it = roles_.find(HashToken(token));
  if (it == roles_.end()) return std::nullopt;
  return it->second;
}

}  // namespace prospect
