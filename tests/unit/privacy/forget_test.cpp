// Pseudonymised ingest and erasure, end to end on a SQLite workspace: with PII declared no raw
// e-mail or phone reaches the store file (a workspace without the declaration, the control, has
// them); after `forget` and compaction no byte of the person's id, e-mail or phone is left in any
// file of the workspace (before, the id is there); derived tables, audiences, the suppression
// list, later ingests and the audit receipt behave.
#include "prospect/privacy/forget.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "prospect/audience/audience.hpp"
#include "prospect/common/digest.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/privacy/audit.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/pg_test_server.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct Person {
  std::string id, email_local, email, phone_digits, phone;
};

// 40 people with random ids, e-mails and phones: random text with no common part is stored as
// it is (it does not compress), so a byte search finds a value the store holds.
std::vector<Person> People() {
  std::mt19937_64 rng(17);
  auto hex = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "0123456789abcdef"[rng() % 16];
    return s;
  };
  std::vector<Person> people;
  for (int i = 0; i < 40; ++i) {
    Person p;
    p.id = fmt::format("C{}", hex(14));
    p.email_local = hex(16);
    p.email = p.email_local + "@" + hex(10) + ".io";  // no part common to all: LZ4 keeps it raw
    for (int d = 0; d < 12; ++d) p.phone_digits += static_cast<char>('0' + rng() % 10);
    p.phone = fmt::format("+{}", p.phone_digits);
    people.push_back(p);
  }
  return people;
}

// Whether any file under `dir` holds `bytes`.
bool WorkspaceHolds(const std::string& dir, const std::string& bytes) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (content.str().find(bytes) != std::string::npos) return true;
  }
  return false;
}

class ForgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("PROSPECT_PII_KEY_FILE", dir_.Write("pii.key", PiiKey::GenerateHex()).c_str(), 1);
    std::string customers = "customer_id,signup_date,region,email,phone\n";
    std::string events = "customer_id,timestamp,type\n";
    for (size_t i = 0; i < people_.size(); ++i) {
      const Person& p = people_[i];
      customers +=
          fmt::format("{},2025-01-{:02d},r{},{},{}\n", p.id, 1 + i % 28, i % 3, p.email, p.phone);
      for (int e = 0; e < 3; ++e)
        events += fmt::format("{},2025-03-{:02d} 10:00:00,view\n", p.id, 1 + (i + e) % 28);
    }
    customers_csv_ = dir_.Write("customers.csv", customers);
    events_csv_ = dir_.Write("events.csv", events);
  }
  void TearDown() override { unsetenv("PROSPECT_PII_KEY_FILE"); }

  Workspace MakeWorkspace(const std::string& name, std::vector<std::string> pii, bool keep_raw,
                          const std::string& store_url = "") {
    const std::string path = dir_.File(name);
    Workspace::Init(path, store_url);
    Workspace ws = Workspace::Open(path);
    IngestRequest customers;
    customers.table = "customers";
    customers.file = customers_csv_;
    customers.pii = std::move(pii);
    customers.pii_keep_raw = keep_raw;
    Ingest(ws, customers, ctx_);
    IngestRequest events;
    events.table = "events";
    events.file = events_csv_;
    Ingest(ws, events, ctx_);
    return ws;
  }

  TempDir dir_;
  Context ctx_{1};
  std::vector<Person> people_ = People();
  std::string customers_csv_, events_csv_;
};

TEST_F(ForgetTest, DeclaredPiiNeverReachesTheStoreFile) {
  const Workspace plain = MakeWorkspace("plain", {}, false);
  const Workspace pseudonymised = MakeWorkspace("pseudonymised", {"email", "phone"}, false);
  const Workspace sealed = MakeWorkspace("sealed", {"email", "phone"}, true);
  for (const Person& p : people_) {
    // The control: without the declaration the file holds every raw value.
    EXPECT_TRUE(WorkspaceHolds(plain.dir(), p.email_local));
    EXPECT_TRUE(WorkspaceHolds(plain.dir(), p.phone_digits));
    for (const Workspace* ws : {&pseudonymised, &sealed}) {
      EXPECT_FALSE(WorkspaceHolds(ws->dir(), p.email_local)) << ws->dir();
      EXPECT_FALSE(WorkspaceHolds(ws->dir(), p.phone_digits)) << ws->dir();
      EXPECT_TRUE(WorkspaceHolds(ws->dir(), p.id));
    }
  }
  // Joins keep working: the same e-mail gives the same pseudonym in both workspaces' key.
  const Table a = pseudonymised.store().LoadTable("customers", {"email"}, ctx_);
  const Table b = sealed.store().LoadTable("customers", {"email", "email_sealed"}, ctx_);
  const PiiKey key = PiiKey::Load(nlohmann::json::object(), sealed.dir());
  for (size_t r = 0; r < a.num_rows(); ++r) {
    EXPECT_EQ(a.column("email").FormatValue(r),
              key.Pseudonym(PiiKind::kEmail, people_[r].email, ""));
    EXPECT_EQ(b.column("email").FormatValue(r), a.column("email").FormatValue(r));
    EXPECT_EQ(key.Open(b.column("email_sealed").FormatValue(r)), people_[r].email);
  }
}

// A rejected row keeps its line, column and reason, but not its declared PII: the rejects file
// is in the workspace too.
TEST_F(ForgetTest, RejectsWithholdDeclaredPii) {
  const Workspace ws = MakeWorkspace("ws", {}, false);
  const std::string local = "q7c1e55aa04d9be3";  // in no other file of the workspace
  IngestRequest bad;
  bad.table = "leads";
  bad.file = dir_.Write("leads.csv", "customer_id,signup_date,email\nL1,2025-01-02,a@b.io\nL2," +
                                         std::string("not-a-date,") + local + "@x.io\n");
  bad.types["signup_date"] = DataType::kDate;
  bad.pii = {"email"};
  bad.on_error = OnError::kReject;
  const IngestResult r = Ingest(ws, bad, ctx_);
  EXPECT_EQ(r.rows_rejected, 1);
  const std::string rejects = testing::ReadFileText(r.rejects_path);
  EXPECT_NE(rejects.find("3,signup_date,not-a-date,"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("(withheld: the row holds declared PII)"), std::string::npos);
  EXPECT_FALSE(WorkspaceHolds(ws.dir(), local));
  // The control: without the declaration the rejects file shows the row as it was.
  bad.table = "leads_plain";
  bad.pii.clear();
  const IngestResult plain = Ingest(ws, bad, ctx_);
  EXPECT_NE(testing::ReadFileText(plain.rejects_path).find(local), std::string::npos);
}

TEST_F(ForgetTest, ProfilesLeaveIdentifyingColumnsOut) {
  const Workspace ws = MakeWorkspace("ws", {"email", "phone"}, true);
  RunProfile(ws.store(), ProfileConfig(), ProfileRequest(), ctx_);
  const TableInfo profiles = *ws.store().FindTable("profiles");
  for (const std::string column : {"email", "phone", "email_sealed", "phone_sealed"})
    EXPECT_LT(profiles.schema.IndexOf(column), 0) << column;
  EXPECT_GE(profiles.schema.IndexOf("region"), 0);
}

TEST_F(ForgetTest, ErasesEveryTraceInOneTransactionAndKeepsThemOut) {
  const Workspace ws = MakeWorkspace("ws", {"email", "phone"}, true);
  Store& store = ws.store();
  RunProfile(store, ProfileConfig(), ProfileRequest(), ctx_);
  AudienceSaveRequest everyone;
  everyone.name = "everyone";
  everyone.table = "customers";
  SaveAudience(store, everyone, ctx_);
  SaveAudience(store, everyone, ctx_);
  const Person& gone = people_[7];
  ASSERT_TRUE(WorkspaceHolds(ws.dir(), gone.id));  // the control: the search finds the id

  ForgetRequest request;
  request.ids = {gone.id, "no-such-person"};
  request.compact = true;
  const ForgetResult r = Forget(store, request, ctx_);
  EXPECT_EQ(r.people, 2u);
  ASSERT_EQ(r.tables.size(), 3u);
  EXPECT_EQ(r.tables[0].table, "customers");
  EXPECT_EQ(r.tables[0].rows, 1);
  EXPECT_EQ(r.tables[1].table, "events");
  EXPECT_EQ(r.tables[1].rows, 3);
  EXPECT_EQ(r.tables[2].table, "profiles");
  EXPECT_EQ(r.tables[2].rows, 1);
  EXPECT_EQ(r.rows, 5);
  EXPECT_EQ(r.audience_versions, 2);
  EXPECT_EQ(r.suppressed, 3u);  // two ids, the person's e-mail pseudonym

  for (const std::string& bytes : {gone.id, gone.email_local, gone.phone_digits})
    EXPECT_FALSE(WorkspaceHolds(ws.dir(), bytes)) << bytes;
  EXPECT_TRUE(WorkspaceHolds(ws.dir(), people_[8].id));
  EXPECT_EQ(store.FindTable("customers")->rows, 39);
  EXPECT_EQ(store.FindTable("events")->rows, 117);
  EXPECT_EQ(AudienceMembers(store, "everyone", 1).size(), 39u);
  EXPECT_EQ(AudienceHistory(store, "everyone")[0].size, 39u);

  // The receipt: the last audit entry, naming no one, in a chain that verifies.
  const AuditEntry receipt = store.AuditLog().back();
  EXPECT_EQ(receipt.action, "forget");
  EXPECT_EQ(receipt.hash, r.receipt);
  EXPECT_EQ(receipt.detail.find(gone.id), std::string::npos);
  EXPECT_NE(receipt.detail.find("people=2 rows=5 tables=customers:1,events:3,profiles:1"),
            std::string::npos);
  EXPECT_TRUE(VerifyAuditLog(store).ok);

  // A later ingest cannot bring them back, by id or by e-mail.
  IngestRequest again;
  again.table = "customers";
  again.file = customers_csv_;
  again.mode = WriteMode::kReplace;
  EXPECT_EQ(Ingest(ws, again, ctx_).rows_suppressed, 1);
  const Person& renamed = people_[7];
  const std::string other_id =
      dir_.Write("renamed.csv", "customer_id,signup_date,region,email,phone\nNEW1,2025-01-01,r1," +
                                    renamed.email + ",\n");
  again.file = other_id;
  again.mode = WriteMode::kAppend;
  const IngestResult appended = Ingest(ws, again, ctx_);
  EXPECT_EQ(appended.rows_suppressed, 1);
  EXPECT_EQ(appended.table_rows, 39);
}

// Key rotation: every pseudonym and seal made again under the new key (checked against the new
// key's own computation), in one transaction; a workspace without sealed raw values is refused
// and left as it was.
TEST_F(ForgetTest, RotatingTheKeyReKeysEveryPseudonymAndSeal) {
  const Workspace ws = MakeWorkspace("ws", {"email", "phone"}, true);
  Store& store = ws.store();
  ForgetRequest forget;
  forget.ids = {people_[0].id};
  Forget(store, forget, ctx_);
  const PiiKey from = PiiKey::Load(nlohmann::json::object(), ws.dir());
  const PiiKey to = PiiKey::FromHex(PiiKey::GenerateHex(), "test");
  const PiiRotation r = RotatePiiKey(store, from, to, "", ctx_);
  EXPECT_EQ(r.tables, std::vector<std::string>{"customers"});
  EXPECT_EQ(r.values, 2 * 39);
  EXPECT_EQ(r.suppressed_emails_kept, 1);  // the forgotten person's, still under the old key
  const Table customers = store.LoadTable("customers", ctx_);
  ASSERT_EQ(customers.num_rows(), 39u);
  EXPECT_EQ(customers.schema().Names(),
            (std::vector<std::string>{"customer_id", "signup_date", "region", "email", "phone",
                                      "email_sealed", "phone_sealed"}));
  for (size_t r = 0; r < customers.num_rows(); ++r) {
    const Person& p = people_[r + 1];
    ASSERT_EQ(customers.column("customer_id").FormatValue(r), p.id);
    EXPECT_EQ(customers.column("email").FormatValue(r), to.Pseudonym(PiiKind::kEmail, p.email, ""));
    EXPECT_EQ(customers.column("phone").FormatValue(r), to.Pseudonym(PiiKind::kPhone, p.phone, ""));
    EXPECT_EQ(to.Open(customers.column("email_sealed").FormatValue(r)), p.email);
  }
  EXPECT_THROW(from.Open(customers.column("phone_sealed").FormatValue(0)), Error);
  EXPECT_EQ(FindPiiDeclaration(store, "customers")->key_id, to.id());
  EXPECT_EQ(store.AuditLog().back().action, "pii.rotate");
  // The old key no longer fits the table.
  IngestRequest append;
  append.table = "customers";
  append.file = customers_csv_;
  append.mode = WriteMode::kAppend;
  ExpectErrorStartingWith(
      [&] { Ingest(ws, append, ctx_); },
      fmt::format("table customers holds pseudonyms made with PII key {}", to.id()),
      "prospect pii rotate");

  const Workspace plain = MakeWorkspace("plain", {"email"}, false);
  const std::vector<std::string> before = [&] {
    const Table t = plain.store().LoadTable("customers", {"email"}, ctx_);
    std::vector<std::string> v;
    for (size_t r = 0; r < t.num_rows(); ++r) v.push_back(t.column(size_t{0})->FormatValue(r));
    return v;
  }();
  ExpectErrorStartingWith([&] { RotatePiiKey(plain.store(), from, to, "", ctx_); },
                          "customers.email holds pseudonyms without sealed raw values",
                          "Ingest customers again from its source with the new key instead");
  const Table after = plain.store().LoadTable("customers", {"email"}, ctx_);
  for (size_t r = 0; r < after.num_rows(); ++r)
    EXPECT_EQ(after.column(size_t{0})->FormatValue(r), before[r]);
}

// On PostgreSQL: after the erasure no row of any table mentions the person, by id or pseudonym.
TEST_F(ForgetTest, ErasesThemFromPostgres) {
  PROSPECT_REQUIRE_POSTGRES();
  testing::PgTestSchema schema;
  const Workspace ws = MakeWorkspace("pg", {"email", "phone"}, true, schema.url());
  Store& store = ws.store();
  RunProfile(store, ProfileConfig(), ProfileRequest(), ctx_);
  const Person& gone = people_[3];
  const PiiKey key = PiiKey::Load(nlohmann::json::object(), ws.dir());
  const std::string email = key.Pseudonym(PiiKind::kEmail, gone.email, "");
  auto mentions = [&] {
    int64_t n = 0;
    for (const TableInfo& t : store.ListTables()) {
      std::string where = "CAST(customer_id AS text) = '" + gone.id + "'";
      if (t.schema.IndexOf("email") >= 0) where += " OR email = '" + email + "'";
      n += store.Query("SELECT count(*) FROM " + t.name + " WHERE " + where, ctx_)
               .column(size_t{0})
               ->ints()[0];
    }
    return n;
  };
  EXPECT_EQ(mentions(), 5);  // customers, 3 events, profiles
  ForgetRequest request;
  request.ids = {gone.id};
  const ForgetResult r = Forget(store, request, ctx_);
  EXPECT_EQ(r.rows, 5);
  EXPECT_EQ(mentions(), 0);
  EXPECT_EQ(store.FindTable("customers")->rows, 39);
  EXPECT_EQ(store.AuditLog().back().hash, r.receipt);
  EXPECT_TRUE(VerifyAuditLog(store).ok);
}

TEST_F(ForgetTest, NoIdsIsAnError) {
  const Workspace ws = MakeWorkspace("ws", {"email"}, false);
  ExpectError(
      [&] {
        Forget(ws.store(), ForgetRequest{{" "}, {"customer_id"}, false}, ctx_);
      },
      ErrorCode::kInvalidArgument, "forget: no ids given");
  EXPECT_EQ(ws.store().AuditLog().back().action, "ingest");
}

}  // namespace
}  // namespace prospect
