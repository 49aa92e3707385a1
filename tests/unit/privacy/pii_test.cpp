// PII keys, pseudonyms and sealed values: key ids and pseudonyms against Python's independent
// BLAKE2b + HMAC computation (tests/fixtures/privacy/make_pseudonym_vectors.py), normalisation,
// sealing round trips, wrong keys and damage, and where a key may come from.
#include "prospect/privacy/pii.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

const nlohmann::json& Vectors() {
  static const nlohmann::json vectors = testing::LoadJsonFixture("privacy/pseudonym_vectors.json");
  return vectors;
}

PiiKey FixtureKey() { return PiiKey::FromHex(Vectors()["master_key"].get<std::string>(), "test"); }

TEST(PiiKey, IdAndPseudonymsMatchAnIndependentImplementation) {
  const PiiKey key = FixtureKey();
  EXPECT_EQ(key.id(), Vectors()["key_id"].get<std::string>());
  ASSERT_GE(Vectors()["cases"].size(), 9u);
  for (const auto& c : Vectors()["cases"]) {
    const std::string raw = c["raw"], region = c["phone_region"];
    const PiiKind kind = ParsePiiKind(c["kind"].get<std::string>());
    SCOPED_TRACE(raw);
    EXPECT_EQ(NormalizeForPseudonym(kind, raw, region), c["normalised"].get<std::string>());
    EXPECT_EQ(key.Pseudonym(kind, raw, region), c["pseudonym"].get<std::string>());
  }
}

TEST(PiiKey, TheSamePersonGetsOnePseudonymAndAnotherKeyAnother) {
  const PiiKey key = FixtureKey();
  EXPECT_EQ(key.Pseudonym(PiiKind::kEmail, " Ana@Example.com", ""),
            key.Pseudonym(PiiKind::kEmail, "ana@example.com", ""));
  EXPECT_NE(key.Pseudonym(PiiKind::kEmail, "ana@example.com", ""),
            key.Pseudonym(PiiKind::kEmail, "bob@example.com", ""));
  const PiiKey other = PiiKey::FromHex(PiiKey::GenerateHex(), "generated");
  EXPECT_NE(other.id(), key.id());
  EXPECT_NE(other.Pseudonym(PiiKind::kEmail, "ana@example.com", ""),
            key.Pseudonym(PiiKind::kEmail, "ana@example.com", ""));
  EXPECT_EQ(PiiKeyIdOf(key.Pseudonym(PiiKind::kText, "x", "")), key.id());
  EXPECT_EQ(PiiKeyIdOf("ana@example.com"), "");
}

TEST(PiiKey, SealedValuesOpenOnlyWithTheirKey) {
  const PiiKey key = FixtureKey();
  const std::string sealed = key.Seal("ana.silva@example.com");
  EXPECT_EQ(sealed.rfind("s." + key.id() + ".", 0), 0u);
  EXPECT_EQ(sealed.find("ana"), std::string::npos);
  EXPECT_NE(key.Seal("ana.silva@example.com"), sealed);  // a fresh nonce each time
  EXPECT_EQ(key.Open(sealed), "ana.silva@example.com");
  EXPECT_EQ(key.Open(key.Seal("")), "");

  const PiiKey other = PiiKey::FromHex(std::string(64, 'a'), "other");
  ExpectError([&] { other.Open(sealed); }, ErrorCode::kInvalidData,
              "value sealed by key " + key.id() + ", but the key in use is " + other.id());
  std::string damaged = sealed;
  damaged[damaged.size() - 2] = damaged[damaged.size() - 2] == 'A' ? 'B' : 'A';
  ExpectError([&] { key.Open(damaged); }, ErrorCode::kInvalidData,
              "sealed value of key " + key.id() + " does not authenticate");
}

TEST(PiiKey, ComesFromTheEnvironmentOrAKeyFileOutsideTheWorkspace) {
  TempDir dir;
  const std::string workspace = dir.File("ws");
  std::filesystem::create_directories(workspace);
  const std::string hex = Vectors()["master_key"].get<std::string>();
  const std::string outside = dir.Write("pii.key", hex + "\n");
  const std::string inside = workspace + "/pii.key";
  std::filesystem::copy_file(outside, inside);
  unsetenv("PROSPECT_PII_KEY");
  unsetenv("PROSPECT_PII_KEY_FILE");

  EXPECT_EQ(PiiKey::Load({{"key_file", outside}}, workspace).id(), FixtureKey().id());
  ExpectError(
      [&] {
        PiiKey::Load({{"key_file", inside}}, workspace);
      },
      ErrorCode::kInvalidArgument,
      "PII key file " + inside + " is inside the workspace " + workspace +
          ": keep it elsewhere (whoever has the workspace would have the key)");
  ExpectErrorStartingWith([&] { PiiKey::Load(nlohmann::json::object(), workspace); },
                          "no PII key: set PROSPECT_PII_KEY", "prospect pii keygen --out FILE");
  setenv("PROSPECT_PII_KEY", std::string(64, 'b').c_str(), 1);
  EXPECT_EQ(PiiKey::Load({{"key_file", outside}}, workspace).id(),
            PiiKey::FromHex(std::string(64, 'b'), "b").id());
  unsetenv("PROSPECT_PII_KEY");
  ExpectError([] { PiiKey::FromHex("abc", "PROSPECT_PII_KEY"); }, ErrorCode::kInvalidArgument,
              "PROSPECT_PII_KEY: a PII key is 64 hex digits, found 3 characters");
}

TEST(PiiColumns, KindsComeFromTheSpecOrTheName) {
  EXPECT_EQ(ParsePiiColumn("email").kind, PiiKind::kEmail);
  EXPECT_EQ(ParsePiiColumn("work_mail").kind, PiiKind::kEmail);
  EXPECT_EQ(ParsePiiColumn("mobile").kind, PiiKind::kPhone);
  EXPECT_EQ(ParsePiiColumn("last_name").kind, PiiKind::kName);
  EXPECT_EQ(ParsePiiColumn("street_address").kind, PiiKind::kAddress);
  EXPECT_EQ(ParsePiiColumn("passport").kind, PiiKind::kText);
  const PiiColumn c = ParsePiiColumn("contact = phone");
  EXPECT_EQ(c.name, "contact");
  EXPECT_EQ(c.kind, PiiKind::kPhone);
  ExpectError([] { ParsePiiColumn("x=fax"); }, ErrorCode::kInvalidArgument,
              "unknown PII kind \"fax\": use email, phone, name, address or text");
  EXPECT_TRUE(IsPersonalColumn("email", nullptr));
  EXPECT_TRUE(IsPersonalColumn("phone", nullptr));
  EXPECT_FALSE(IsPersonalColumn("region", nullptr));
  const PiiDeclaration d{"t", "k", {{"passport", PiiKind::kText, "passport_sealed"}}};
  EXPECT_TRUE(IsPersonalColumn("passport", &d));
  EXPECT_TRUE(IsPersonalColumn("passport_sealed", &d));
}

TEST(PiiColumns, PseudonymiseTableReplacesValuesKeepsNullsAndSeals) {
  const PiiKey key = FixtureKey();
  const Table t(Schema({{"id", DataType::kInt64}, {"email", DataType::kString}}),
                {Column::FromInts(DataType::kInt64, {1, 2, 3}),
                 Column::FromStringVector({"Ana@Example.com", "", "bob@example.com"}, {1, 0, 1})});
  const Table out =
      PseudonymiseTable(t, {{"email", PiiKind::kEmail, "email_sealed"}}, key, "", Context(2));
  ASSERT_EQ(out.schema().Names(), (std::vector<std::string>{"id", "email", "email_sealed"}));
  EXPECT_EQ(out.column("email").FormatValue(0),
            key.Pseudonym(PiiKind::kEmail, "ana@example.com", ""));
  EXPECT_TRUE(out.column("email").IsNull(1));
  EXPECT_TRUE(out.column("email_sealed").IsNull(1));
  EXPECT_EQ(key.Open(out.column("email_sealed").FormatValue(2)), "bob@example.com");
}

}  // namespace
}  // namespace prospect
