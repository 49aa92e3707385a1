// Pseudonymisation of declared PII columns. On ingest each value of a PII column (e-mail, phone,
// name, address) is replaced by a keyed pseudonym, HMAC-SHA256 of the normalised value under a
// key kept outside the workspace: the same person gives the same pseudonym in every table, so
// joins keep working, and the workspace alone reveals nobody. Where the raw value must be kept
// (an ad-platform export needs it), it is sealed (XSalsa20-Poly1305, libsodium secretbox) in a
// companion column that only the key opens.
//
// Both kinds of value carry the key's id: "p.KEYID.HEX" (pseudonym), "s.KEYID.BASE64" (sealed),
// so a workspace can tell which key made a value and a rotation can find what it has not re-keyed.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

class Store;

enum class PiiKind { kEmail, kPhone, kName, kAddress, kText };

/// "email", "phone", "name", "address", "text"; kInvalidArgument naming them otherwise.
PiiKind ParsePiiKind(std::string_view name);
std::string_view PiiKindName(PiiKind kind);

/// One declared PII column of a table.
struct PiiColumn {
  std::string name;
  PiiKind kind = PiiKind::kText;
  /// The companion column holding the sealed raw values ("" when raw values are not kept).
  std::string sealed_column;
};

/// "email" (kind from the name: ...mail... is an e-mail, phone/mobile/tel a phone, ...name... a
/// name, address/street an address, anything else text) or "COLUMN=KIND".
PiiColumn ParsePiiColumn(std::string_view spec);

/// What a workspace keeps about a table's PII: its columns and the key that pseudonymised them.
/// Stored as object kind "pii" under the table's name, so appends, exports, profiles and
/// rotation know which columns hold pseudonyms without being told again.
struct PiiDeclaration {
  std::string table;
  std::string key_id;
  std::vector<PiiColumn> columns;
  const PiiColumn* Find(std::string_view column) const;
  nlohmann::json ToJson() const;
  static PiiDeclaration FromJson(const nlohmann::json& json);
};

inline constexpr const char* kPiiObjectKind = "pii";

/// The table's declaration, or nullopt when it has no PII declared.
std::optional<PiiDeclaration> FindPiiDeclaration(Store& store, const std::string& table);
void SavePiiDeclaration(Store& store, const PiiDeclaration& declaration);

/// A column that identifies a person and is never a feature: declared PII of `declaration`, or
/// named like an e-mail, phone, name or street address. Derived tables (profiles) leave these out.
bool IsPersonalColumn(std::string_view column, const PiiDeclaration* declaration);

/// The workspace's PII key: 32 random bytes, written as 64 hex digits. Subkeys for the pseudonyms
/// and the sealing are derived from it (libsodium's KDF), and so is its public id.
class PiiKey {
 public:
  static constexpr size_t kBytes = 32;

  /// From the environment (PROSPECT_PII_KEY: the hex digits; PROSPECT_PII_KEY_FILE: a file
  /// holding them) or prospect.toml's [pii] key_file. A key file inside the workspace folder is
  /// refused: whoever has the workspace would have the key. kNotFound with the fix when none.
  static PiiKey Load(const nlohmann::json& pii_section, const std::string& workspace_dir);
  /// From a key file; one inside the workspace folder is refused.
  static PiiKey FromFile(const std::string& path, const std::string& workspace_dir);
  /// From the 64 hex digits; kInvalidArgument naming `where` otherwise.
  static PiiKey FromHex(std::string_view hex, std::string_view where);
  /// A new random key, as hex.
  static std::string GenerateHex();

  /// 8 hex digits that name the key without revealing it.
  const std::string& id() const { return id_; }

  /// "p.KEYID.HEX": HMAC-SHA256 (128 bits kept) of the value normalised for its kind (see
  /// NormalizeForPseudonym), so " Ana@Example.com" and "ana@example.com" get one pseudonym.
  std::string Pseudonym(PiiKind kind, std::string_view raw, std::string_view phone_region) const;
  /// HMAC of an already-normalised value, hex (a suppression list's entries).
  std::string Mac(std::string_view value) const;
  /// "s.KEYID.BASE64" of a random nonce and the secretbox of `raw`.
  std::string Seal(std::string_view raw) const;
  /// The raw value of Seal's output. kInvalidData when it was sealed by another key (naming
  /// both ids) or does not authenticate.
  std::string Open(std::string_view sealed) const;

 private:
  std::array<unsigned char, kBytes> pseudonym_key_{}, seal_key_{};
  std::string id_;
};

/// The value a pseudonym is taken of: e-mail as NormalizeEmail, phone in E.164 (national numbers
/// read in `phone_region`), name lower-cased, address lower-cased with single spaces; any that
/// does not normalise (and text) trimmed.
std::string NormalizeForPseudonym(PiiKind kind, std::string_view raw,
                                  std::string_view phone_region);

/// [pii] phone_region of prospect.toml: the country of national phone numbers ("" when unset).
std::string PhoneRegion(const nlohmann::json& pii_section);

/// The key id inside a pseudonym or sealed value, or "" when `value` is neither.
std::string_view PiiKeyIdOf(std::string_view value);

/// `table` with each declared column's values replaced by pseudonyms (nulls stay null) and, for
/// columns with a sealed_column, that column added with the sealed raw values. Runs on the
/// Context's threads.
Table PseudonymiseTable(const Table& table, const std::vector<PiiColumn>& columns,
                        const PiiKey& key, std::string_view phone_region, const Context& ctx);

/// What re-keying a workspace did.
struct PiiRotation {
  std::string from_key_id, to_key_id;
  std::vector<std::string> tables;  ///< the tables whose PII columns were re-keyed
  int64_t values = 0;               ///< pseudonyms recomputed (and raw values sealed again)
  /// E-mail pseudonyms of forgotten people in the suppression list: made with the old key, and
  /// their raw e-mails erased, so they cannot be re-keyed. They keep out ingests that still use
  /// the old key; under the new key only the ids (hashed without a key) keep those people out.
  int64_t suppressed_emails_kept = 0;
  nlohmann::json ToJson() const;
};

/// Re-keys every table with PII declared under `from` (Open each sealed raw value, then the
/// pseudonym and the seal again under `to`) and their declarations, in one transaction; audited.
/// Only sealed raw values can be re-keyed: when a declared column has none (ingested without
/// --pii-keep-raw), kFailedPrecondition names it before anything changes, since a pseudonym
/// cannot be turned back into its value. kInvalidArgument when a table was made with a key that
/// is neither, or `from` and `to` are the same key.
PiiRotation RotatePiiKey(Store& store, const PiiKey& from, const PiiKey& to,
                         std::string_view phone_region, const Context& ctx);

}  // namespace prospect
