// Ad-platform identifier normalisation (see identifiers.hpp). Phone numbers go through Google's
// libphonenumber, lower-casing through ICU: both know every country and script.
#include "prospect/privacy/identifiers.hpp"

#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

// Lower case by Unicode's rules (ICU), for every script.
icu::UnicodeString Lower(std::string_view s) {
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  return u.toLower(icu::Locale::getRoot());
}

std::string Utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

AdPlatform ParseAdPlatform(std::string_view name) {
  if (name == "google") return AdPlatform::kGoogle;
  if (name == "meta") return AdPlatform::kMeta;
  Fail(ErrorCode::kInvalidArgument, "unknown ad platform \"{}\": use google or meta", name);
}

std::string_view AdPlatformName(AdPlatform platform) {
  return platform == AdPlatform::kGoogle ? "google" : "meta";
}

std::optional<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = Utf8(Lower(Trim(raw)));
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos)
    return std::nullopt;
  const std::string domain = email.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == domain.size()) return std::nullopt;
  if (domain == "gmail.com" || domain == "googlemail.com") {
    std::string local = email.substr(0, at);
    local.erase(std::min(local.find('+'), local.size()));
    std::erase(local, '.');
    if (local.empty()) return std::nullopt;
    email = local + "@" + domain;
  }
  return email;
}

std::optional<std::string> NormalizePhone(std::string_view raw, std::string_view default_country,
                                          AdPlatform platform) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string text(Trim(raw));
  // "00" is the international prefix of most countries: "0033 6…" is "+33 6…".
  if (text.rfind("00", 0) == 0) text = "+" + text.substr(2);
  PhoneNumber number;
  std::string region(default_country);
  std::transform(region.begin(), region.end(), region.begin(), [](char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  if (util.Parse(text, region.empty() ? "ZZ" : region, &number) !=
          PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number))
    return std::nullopt;
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  if (platform == AdPlatform::kMeta) e164.erase(0, 1);  // digits only
  return e164;
}

std::optional<std::string> NormalizeName(std::string_view raw, AdPlatform platform) {
  icu::UnicodeString name = Lower(Trim(raw));
  if (platform == AdPlatform::kMeta) {
    icu::UnicodeString kept;
    for (int32_t i = 0; i < name.length();) {
      const UChar32 c = name.char32At(i);
      if (!u_ispunct(c) && !u_isUWhiteSpace(c)) kept.append(c);
      i += U16_LENGTH(c);
    }
    name = kept;
  }
  std::string out = Utf8(name);
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> NormalizeCountry(std::string_view raw, AdPlatform platform) {
  std::string code;
  for (char c : Trim(raw)) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) code += c;
  }
  if (code.size() != 2) return std::nullopt;
  code = ToLower(code);
  if (platform == AdPlatform::kGoogle) {
    for (char& c : code) c = static_cast<char>(c - 'a' + 'A');
  }
  return code;
}

std::optional<std::string> NormalizePostalCode(std::string_view raw, std::string_view country,
                                               AdPlatform platform) {
  std::string code(Trim(raw));
  if (platform == AdPlatform::kMeta) {
    code = ToLower(code);
    std::erase_if(code, [](char c) { return c == ' ' || c == '\t'; });
    if (ToLower(Trim(country)) == "us") code = code.substr(0, code.find('-')).substr(0, 5);
  }
  if (code.empty()) return std::nullopt;
  return code;
}

}  // namespace prospect
