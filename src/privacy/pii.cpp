// Pseudonyms and sealed values for declared PII columns (see pii.hpp). libsodium does the
// cryptography: crypto_kdf for the subkeys, HMAC-SHA256 for pseudonyms, secretbox for sealing.
#include "prospect/privacy/pii.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/privacy/identifiers.hpp"
#include "prospect/store/store.hpp"

namespace prospect {
namespace fs = std::filesystem;

namespace {

constexpr const char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "prospect";
constexpr uint64_t kPseudonymSubkey = 1, kSealSubkey = 2, kIdSubkey = 3;
constexpr size_t kPseudonymBytes = 16;  // 128 bits: no collisions among any number of people

void InitSodium() {
  if (sodium_init() < 0) Fail(ErrorCode::kInternal, "libsodium failed to initialise");
}

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string hex(2 * size + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

std::string ReadKeyFile(const std::string& path, const std::string& workspace_dir) {
  std::error_code ec;
  const fs::path key = fs::weakly_canonical(path, ec);
  const fs::path dir = fs::weakly_canonical(workspace_dir, ec);
  const auto [end, _] = std::mismatch(dir.begin(), dir.end(), key.begin(), key.end());
  if (end == dir.end()) {
    Fail(ErrorCode::kInvalidArgument,
         "PII key file {} is inside the workspace {}: keep it elsewhere (whoever has the "
         "workspace would have the key)",
         path, workspace_dir);
  }
  std::ifstream in(path);
  if (!in) Fail(ErrorCode::kNotFound, "PII key file {} cannot be read", path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where the kind of an undeclared column is guessed from its name.
std::optional<PiiKind> KindFromName(std::string_view column) {
  const std::string name = ToLower(column);
  auto has = [&](std::string_view part) { return name.find(part) != std::string::npos; };
  if (has("mail")) return PiiKind::kEmail;
  if (has("phone") || has("mobile") || name == "tel" || name == "telephone") return PiiKind::kPhone;
  if (name == "name" || has("first_name") || has("last_name") || has("full_name") ||
      has("firstname") || has("lastname") || has("surname") || has("given_name") ||
      has("family_name"))
    return PiiKind::kName;
  if (has("address") || has("street")) return PiiKind::kAddress;
  return std::nullopt;
}

}  // namespace

PiiKind ParsePiiKind(std::string_view name) {
  for (PiiKind k :
       {PiiKind::kEmail, PiiKind::kPhone, PiiKind::kName, PiiKind::kAddress, PiiKind::kText}) {
    if (PiiKindName(k) == name) return k;
  }
  Fail(ErrorCode::kInvalidArgument, "unknown PII kind {}: use email, phone, name, address or text",
       QuoteForMessage(name));
}

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: return "email";
    case PiiKind::kPhone: return "phone";
    case PiiKind::kName: return "name";
    case PiiKind::kAddress: return "address";
    case PiiKind::kText: break;
  }
  return "text";
}

PiiColumn ParsePiiColumn(std::string_view spec) {
  const size_t eq = spec.find('=');
  PiiColumn column;
  column.name = std::string(Trim(spec.substr(0, eq)));
  if (column.name.empty())
    Fail(ErrorCode::kInvalidArgument, "PII column {}: no column name", QuoteForMessage(spec));
  column.kind = eq == std::string_view::npos ? KindFromName(column.name).value_or(PiiKind::kText)
                                             : ParsePiiKind(Trim(spec.substr(eq + 1)));
  return column;
}

const PiiColumn* PiiDeclaration::Find(std::string_view column) const {
  for (const PiiColumn& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

nlohmann::json PiiDeclaration::ToJson() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const PiiColumn& c : columns) {
    cols.push_back({{"name", c.name},
                    {"kind", PiiKindName(c.kind)},
                    {"sealed_column", c.sealed_column.empty() ? nlohmann::json()
                                                              : nlohmann::json(c.sealed_column)}});
  }
  return {{"table", table}, {"key_id", key_id}, {"columns", cols}};
}

PiiDeclaration PiiDeclaration::FromJson(const nlohmann::json& json) {
  PiiDeclaration d;
  d.table = json.at("table").get<std::string>();
  d.key_id = json.at("key_id").get<std::string>();
  for (const auto& c : json.at("columns")) {
    d.columns.push_back(
        {c.at("name").get<std::string>(), ParsePiiKind(c.at("kind").get<std::string>()),
         c.at("sealed_column").is_string() ? c.at("sealed_column").get<std::string>()
                                           : std::string()});
  }
  return d;
}

std::optional<PiiDeclaration> FindPiiDeclaration(Store& store, const std::string& table) {
  const auto object = store.GetObject(kPiiObjectKind, table);
  if (!object) return std::nullopt;
  return PiiDeclaration::FromJson(object->meta);
}

void SavePiiDeclaration(Store& store, const PiiDeclaration& declaration) {
  store.PutObject(kPiiObjectKind, declaration.table, declaration.ToJson(), "");
}

bool IsPersonalColumn(std::string_view column, const PiiDeclaration* declaration) {
  if (declaration) {
    for (const PiiColumn& c : declaration->columns)
      if (c.name == column || c.sealed_column == column) return true;
  }
  return KindFromName(column).has_value();
}

PiiKey PiiKey::Load(const nlohmann::json& pii_section, const std::string& workspace_dir) {
  if (const char* hex = std::getenv("PROSPECT_PII_KEY"); hex && *hex)
    return FromHex(hex, "PROSPECT_PII_KEY");
  std::string file;
  if (const char* path = std::getenv("PROSPECT_PII_KEY_FILE"); path && *path) {
    file = path;
  } else if (pii_section.contains("key_file")) {
    if (!pii_section["key_file"].is_string())
      Fail(ErrorCode::kInvalidData, "prospect.toml [pii] key_file: expected a path");
    file = pii_section["key_file"].get<std::string>();
  }
  if (file.empty()) {
    Fail(ErrorCode::kNotFound,
         "no PII key: set PROSPECT_PII_KEY (64 hex digits), PROSPECT_PII_KEY_FILE, or [pii] "
         "key_file in prospect.toml to a file outside the workspace (make one with `prospect pii "
         "keygen --out FILE`)");
  }
  return FromFile(file, workspace_dir);
}

std::string PhoneRegion(const nlohmann::json& pii_section) {
  if (!pii_section.contains("phone_region")) return "";
  if (!pii_section["phone_region"].is_string())
    Fail(ErrorCode::kInvalidData, "prospect.toml [pii] phone_region: expected a country code");
  return pii_section["phone_region"].get<std::string>();
}

PiiKey PiiKey::FromFile(const std::string& path, const std::string& workspace_dir) {
  return FromHex(Trim(ReadKeyFile(path, workspace_dir)), path);
}

PiiKey PiiKey::FromHex(std::string_view hex, std::string_view where) {
  InitSodium();
  unsigned char master[kBytes];
  size_t length = 0;
  if (hex.size() != 2 * kBytes ||
      sodium_hex2bin(master, sizeof master, hex.data(), hex.size(), nullptr, &length, nullptr) !=
          0 ||
      length != kBytes) {
    Fail(ErrorCode::kInvalidArgument, "{}: a PII key is {} hex digits, found {} characters", where,
         2 * kBytes, hex.size());
  }
  PiiKey key;
  crypto_kdf_derive_from_key(key.pseudonym_key_.data(), kBytes, kPseudonymSubkey, kKdfContext,
                             master);
  crypto_kdf_derive_from_key(key.seal_key_.data(), kBytes, kSealSubkey, kKdfContext, master);
  unsigned char id[crypto_kdf_BYTES_MIN];
  crypto_kdf_derive_from_key(id, sizeof id, kIdSubkey, kKdfContext, master);
  key.id_ = Hex(id, 4);
  sodium_memzero(master, sizeof master);
  return key;
}

std::string PiiKey::GenerateHex() {
  InitSodium();
  unsigned char bytes[kBytes];
  randombytes_buf(bytes, sizeof bytes);
  std::string hex = Hex(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return hex;
}

std::string PiiKey::Mac(std::string_view value) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, pseudonym_key_.data(), kBytes);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(value.data()),
                                value.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return Hex(mac, kPseudonymBytes);
}

std::string PiiKey::Pseudonym(PiiKind kind, std::string_view raw,
                              std::string_view phone_region) const {
  return "p." + id_ + "." + Mac(NormalizeForPseudonym(kind, raw, phone_region));
}

std::string PiiKey::Seal(std::string_view raw) const {
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + raw.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), nonce,
                        seal_key_.data());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(box.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), nonce, box.size(), kVariant);
  text.resize(text.size() - 1);  // the terminating NUL
  return "s." + id_ + "." + text;
}

std::string PiiKey::Open(std::string_view sealed) const {
  const std::string_view id = PiiKeyIdOf(sealed);
  if (sealed.substr(0, 2) != "s." || id.empty())
    Fail(ErrorCode::kInvalidData, "not a sealed value (expected s.KEYID.DATA)");
  if (id != id_) {
    Fail(ErrorCode::kInvalidData, "value sealed by key {}, but the key in use is {}", id, id_);
  }
  const std::string_view text = sealed.substr(3 + id.size());
  std::string box(text.size(), '\0');
  size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), text.data(),
                        text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      size < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    Fail(ErrorCode::kInvalidData, "sealed value of key {} is damaged", id_);
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  std::string raw(size - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(raw.data()), nonce + crypto_secretbox_NONCEBYTES,
          size - crypto_secretbox_NONCEBYTES, nonce, seal_key_.data()) != 0) {
    Fail(ErrorCode::kInvalidData, "sealed value of key {} does not authenticate", id_);
  }
  return raw;
}

std::string NormalizeForPseudonym(PiiKind kind, std::string_view raw,
                                  std::string_view phone_region) {
  std::optional<std::string> normal;
  switch (kind) {
    case PiiKind::kEmail: normal = NormalizeEmail(raw); break;
    case PiiKind::kPhone: normal = NormalizePhone(raw, phone_region, AdPlatform::kGoogle); break;
    case PiiKind::kName: normal = NormalizeName(raw, AdPlatform::kGoogle); break;
    case PiiKind::kAddress: {
      std::string words;
      for (const std::string& w : Split(ToLower(Trim(raw)), ' ')) {
        if (w.empty()) continue;
        if (!words.empty()) words += ' ';
        words += w;
      }
      normal = words;
      break;
    }
    case PiiKind::kText: break;
  }
  return normal ? *normal : std::string(Trim(raw));
}

std::string_view PiiKeyIdOf(std::string_view value) {
  if (value.size() < 3 || (value[0] != 'p' && value[0] != 's') || value[1] != '.') return {};
  const size_t dot = value.find('.', 2);
  if (dot == std::string_view::npos) return {};
  return value.substr(2, dot - 2);
}

Table PseudonymiseTable(const Table& table, const std::vector<PiiColumn>& columns,
                        const PiiKey& key, std::string_view phone_region, const Context& ctx) {
  constexpr size_t kBlock = 8192;
  Table out = table;
  for (const PiiColumn& pii : columns) {
    const Column& values = table.column(pii.name);
    const size_t n = values.size();
    const bool seal = !pii.sealed_column.empty();
    // Normalising and the cryptography dominate: blocks of rows in parallel, then one append.
    std::vector<std::string> pseudonyms(n), sealed(seal ? n : 0);
    ParallelFor(ctx, static_cast<int64_t>((n + kBlock - 1) / kBlock), [&](int64_t block) {
      const size_t end = std::min(n, (static_cast<size_t>(block) + 1) * kBlock);
      for (size_t r = static_cast<size_t>(block) * kBlock; r < end; ++r) {
        if (values.IsNull(r)) continue;
        const std::string raw = values.FormatValue(r);
        pseudonyms[r] = key.Pseudonym(pii.kind, raw, phone_region);
        if (seal) sealed[r] = key.Seal(raw);
      }
    });
    ColumnBuilder pseudonym_column(DataType::kString), sealed_column(DataType::kString);
    pseudonym_column.Reserve(n);
    if (seal) sealed_column.Reserve(n);
    for (size_t r = 0; r < n; ++r) {
      if (values.IsNull(r)) {
        pseudonym_column.AppendNull();
        if (seal) sealed_column.AppendNull();
        continue;
      }
      pseudonym_column.AppendString(pseudonyms[r]);
      if (seal) sealed_column.AppendString(sealed[r]);
    }
    out = out.WithColumn(pii.name, pseudonym_column.Finish());
    if (seal) out = out.WithColumn(pii.sealed_column, sealed_column.Finish());
  }
  return out;
}

}  // namespace prospect
