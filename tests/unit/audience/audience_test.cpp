// Saved audiences: sources (a table with a condition, the top N, a query), versions and their
// sizes, errors; the Google and Meta upload files, whose hashes are those of the identifier
// vectors Python computed (tests/fixtures/privacy), with coverage counts and no PII in the audit.
#include "prospect/audience/audience.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

// The hash the Python fixture gives for one of its cases.
std::string FixtureHash(const std::string& kind, const std::string& raw,
                        const std::string& platform) {
  for (const auto& c : testing::LoadJsonFixture("privacy/identifier_vectors.json")) {
    if (c["kind"] == kind && c["raw"] == raw && c["platform"] == platform) return c["sha256"];
  }
  ADD_FAILURE() << "no fixture case " << kind << " " << raw;
  return "";
}

class Audiences : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open("sqlite:" + dir_.File("s.db"));
    const std::string csv = dir_.File("customers.csv");
    std::ofstream(csv) << "customer_id,email,mobile,first_name,last_name,country,zip,score\n"
                          "1,  Test@Gmail.com ,06 12 34 56 78,ÉLODIE,Martin,FR, 75011 ,0.9\n"
                          "2,T.e.s.t+promo@gmail.com,,,,,,0.8\n"
                          "3,not-an-email,(650) 253-0000,Ana,Silva,US,94025-1234,0.7\n"
                          "4,,,,,,,0.6\n"
                          "5,ana@example.pt,,,,PT,,0.1\n"
                          ",nobody@example.com,,,,,,0.5\n";
    ReadOptions options;
    options.types["zip"] = DataType::kString;
    store_->WriteTable("customers", ReadCsv(csv, options, ctx_), {}, ctx_);
  }

  std::vector<std::vector<std::string>> ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cells;
      std::stringstream s(line);
      for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
      if (!line.empty() && line.back() == ',') cells.push_back("");
      rows.push_back(cells);
    }
    return rows;
  }

  TempDir dir_;
  Context ctx_{1};
  std::unique_ptr<Store> store_;
};

TEST_F(Audiences, SavedFromATableAConditionATopNOrAQuery) {
  AudienceSaveRequest r;
  r.name = "high";
  r.table = "customers";
  r.where = "score >= 0.7";
  const AudienceVersion v1 = SaveAudience(*store_, r, ctx_);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.size, 3u);
  EXPECT_EQ(v1.source["where"], "score >= 0.7");
  EXPECT_EQ(AudienceMembers(*store_, "high"), (std::vector<std::string>{"1", "2", "3"}));

  r.where.clear();
  r.order_by = "score";
  r.top = 2;
  EXPECT_EQ(SaveAudience(*store_, r, ctx_).version, 2);
  EXPECT_EQ(AudienceMembers(*store_, "high"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(AudienceMembers(*store_, "high", 1).size(), 3u);  // earlier versions stay

  AudienceSaveRequest q;
  q.name = "high";
  q.sql =
      "SELECT customer_id FROM customers WHERE country = 'FR' UNION ALL SELECT 1 UNION ALL "
      "SELECT NULL";
  EXPECT_EQ(SaveAudience(*store_, q, ctx_).size, 1u);  // ids once each, nulls left out

  const std::vector<AudienceVersion> history = AudienceHistory(*store_, "high");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].size, 3u);
  EXPECT_EQ(history[1].size, 2u);
  EXPECT_EQ(history[2].size, 1u);
  EXPECT_EQ(history[2].source["sql"], q.sql);
}

TEST_F(Audiences, MistakesAreClearErrors) {
  AudienceSaveRequest r;
  r.name = "x";
  r.table = "customers";
  r.where = "score > 5";
  ExpectError([&] { SaveAudience(*store_, r, ctx_); }, ErrorCode::kInvalidArgument,
              "audience save: table customers with --where score > 5 selects nobody; an audience "
              "needs at least one customer");
  r.where.clear();
  r.table = "customer";
  ExpectErrorStartingWith([&] { SaveAudience(*store_, r, ctx_); },
                          "no table \"customer\" in the workspace. Did you", "Tables: customers.");
  r.table = "customers";
  r.order_by = "scor";
  r.top = 1;
  ExpectErrorStartingWith([&] { SaveAudience(*store_, r, ctx_); },
                          "--order-by: table customers has no column \"scor\".", "score");
  ExpectErrorStartingWith([&] { AudienceMembers(*store_, "nope"); }, "no audience \"nope\".",
                          "Audiences:");
}

TEST_F(Audiences, TheGoogleFileHashesWhatGoogleHashes) {
  AudienceSaveRequest r;
  r.name = "all";
  r.sql = "SELECT customer_id FROM customers UNION ALL SELECT 99";
  SaveAudience(*store_, r, ctx_);
  AudienceExportRequest e;
  e.name = "all";
  e.out = dir_.File("google.csv");
  e.columns["phone"] = "mobile";
  const AudienceExportResult out = ExportAudience(*store_, e, ctx_);
  EXPECT_EQ(out.members, 6u);
  EXPECT_EQ(out.not_in_contacts, 1u);     // 99
  EXPECT_EQ(out.without_identifier, 1u);  // 4: nothing at all
  EXPECT_EQ(out.exported, 4u);
  ASSERT_EQ(out.coverage.size(), 6u);
  EXPECT_EQ(out.coverage[0].identifier, "email");
  EXPECT_EQ(out.coverage[0].present, 4u);
  EXPECT_EQ(out.coverage[0].valid, 3u);  // not-an-email is not one
  EXPECT_EQ(out.coverage[1].column, "mobile");
  EXPECT_EQ(out.coverage[1].valid, 2u);

  const auto rows = ReadFile(e.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Email", "Phone", "First Name", "Last Name",
                                               "Country", "Zip"}));
  const std::string gmail = FixtureHash("email", "test@gmail.com", "google");
  EXPECT_EQ(rows[1][0], gmail);
  EXPECT_EQ(rows[1][1], FixtureHash("phone", "06 12 34 56 78", "google"));  // national, FR
  EXPECT_EQ(rows[1][2], FixtureHash("name", "ÉLODIE", "google"));
  EXPECT_EQ(rows[1][4], "FR");     // in the clear
  EXPECT_EQ(rows[1][5], "75011");  // in the clear, trimmed
  EXPECT_EQ(rows[2][0], gmail);    // the same mailbox
  EXPECT_EQ(rows[3][0], "");       // not an e-mail: left empty, the phone still matches
  EXPECT_EQ(rows[3][1], FixtureHash("phone", "(650) 253-0000", "google"));
  EXPECT_EQ(rows[4][4], "PT");

  for (const AuditEntry& a : store_->AuditLog()) {
    EXPECT_EQ(a.detail.find('@'), std::string::npos) << a.detail;
  }
  EXPECT_EQ(store_->AuditLog().back().detail, "audience=all version=1 platform=google rows=4");
}

TEST_F(Audiences, TheMetaFileHashesEveryField) {
  AudienceSaveRequest r;
  r.name = "us";
  r.table = "customers";
  r.where = "customer_id = 3";
  SaveAudience(*store_, r, ctx_);
  AudienceExportRequest e;
  e.name = "us";
  e.platform = AdPlatform::kMeta;
  e.out = dir_.File("meta.csv");
  e.columns["phone"] = "mobile";
  ExportAudience(*store_, e, ctx_);
  const auto rows = ReadFile(e.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"email", "phone", "fn", "ln", "country", "zip"}));
  EXPECT_EQ(rows[1][0], "");
  EXPECT_EQ(rows[1][1], FixtureHash("phone", "650.253.0000", "meta"));  // same number, no "+"
  EXPECT_EQ(rows[1][4], Sha256Hex("us"));
  EXPECT_EQ(rows[1][5], FixtureHash("postal", "94025-1234", "meta"));
}

TEST_F(Audiences, AContactsTableWithoutIdentifiersIsAnError) {
  AudienceSaveRequest r;
  r.name = "a";
  r.table = "customers";
  SaveAudience(*store_, r, ctx_);
  AudienceExportRequest e;
  e.name = "a";
  e.out = dir_.File("x.csv");
  e.columns["email"] = "e_mail";
  ExpectErrorStartingWith([&] { ExportAudience(*store_, e, ctx_); },
                          "--column email: table customers has no column \"e_mail\".", "email");
}

}  // namespace
}  // namespace prospect
