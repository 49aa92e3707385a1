// Customer identifiers normalised the way ad platforms match them, and hashed (SHA-256) for
// upload: Google Customer Match and Meta Custom Audiences. Normalising first is what makes the
// hashes match: " Ana.Silva+news@GMAIL.com" and "anasilva@gmail.com" are the same person to Google.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "prospect/common/digest.hpp"  // Sha256Hex, the hash of a normalised identifier

namespace prospect {

enum class AdPlatform { kGoogle, kMeta };

/// "google" or "meta"; kInvalidArgument naming both otherwise.
AdPlatform ParseAdPlatform(std::string_view name);
std::string_view AdPlatformName(AdPlatform platform);

/// Trimmed and lower-cased; for gmail.com and googlemail.com also without dots and "+suffix" in
/// the local part (Gmail ignores both, so they are one mailbox). nullopt when it is not an
/// address (no single "@" with text on both sides and a dot in the domain).
std::optional<std::string> NormalizeEmail(std::string_view raw);

/// The number in E.164 ("+33612345678") by libphonenumber: a number written with its country
/// code ("+33 6 12…", "0033 6…") is read as such, a national one ("06 12 34 56 78") in
/// `default_country` (ISO 3166 alpha-2, "FR"). Meta takes the same digits without the "+".
/// nullopt when the number is not a valid number of that country.
std::optional<std::string> NormalizePhone(std::string_view raw, std::string_view default_country,
                                          AdPlatform platform);

/// A first or last name: trimmed and lower-cased (every script, by ICU). Meta also drops
/// punctuation and spaces ("Mary-Ann O'Neil" → "maryannoneil"). nullopt when nothing is left.
std::optional<std::string> NormalizeName(std::string_view raw, AdPlatform platform);

/// ISO 3166 alpha-2: Google sends it upper-case and unhashed, Meta lower-case (then hashed).
/// nullopt unless two letters remain.
std::optional<std::string> NormalizeCountry(std::string_view raw, AdPlatform platform);

/// A postal code: Google sends it trimmed and unhashed; Meta lower-case without spaces, and for
/// the United States only its first five digits ("94025-1234" → "94025").
std::optional<std::string> NormalizePostalCode(std::string_view raw, std::string_view country,
                                               AdPlatform platform);

}  // namespace prospect
