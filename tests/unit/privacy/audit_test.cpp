// The audit log's hash chain on both backends: entries chain and verify; an edited, a re-hashed,
// a deleted and a cut-off entry are each found; concurrent writers keep one chain. And the CLI's
// `audit verify` exit code and `audit list`.
#include "prospect/privacy/audit.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "prospect/store/store.hpp"
#include "support/cli_expect.hpp"
#include "support/pg_test_server.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::PgTestSchema;
using testing::RunCli;
using testing::TempDir;

class AuditChain : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      PROSPECT_REQUIRE_POSTGRES();
      schema_ = std::make_unique<PgTestSchema>();
      url_ = schema_->url();
    } else {
      url_ = "sqlite:" + dir_.File("s.db");
    }
    store_ = Store::Open(url_);
    store_->set_actor("cli:ana");
    for (int i = 1; i <= 5; ++i) store_->Audit("ingest", fmt::format("table=t{} rows={}", i, i));
  }

  // What someone with write access to the database does behind prospect's back.
  void Tamper(const std::string& sql) {
    if (schema_) {
      schema_->Exec(sql);
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.File("s.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
    sqlite3_close(db);
  }

  TempDir dir_;
  std::unique_ptr<PgTestSchema> schema_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, AuditChain, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(AuditChain, EntriesChainAndVerify) {
  const std::vector<AuditEntry> log = store_->AuditLog();
  ASSERT_EQ(log.size(), 5u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].id, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(log[i].actor, "cli:ana");
    EXPECT_EQ(log[i].prev_hash, i == 0 ? "" : log[i - 1].hash);
    EXPECT_EQ(log[i].hash, AuditHash(log[i]));
    EXPECT_EQ(log[i].hash.size(), 64u);
  }
  EXPECT_EQ(log[2].detail, "table=t3 rows=3");
  EXPECT_EQ(store_->AuditLog(4).size(), 2u);
  const AuditVerification v = VerifyAuditLog(*store_);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 5);
  EXPECT_EQ(v.head, log[4].hash);
}

TEST_P(AuditChain, AnEditedEntryIsFound) {
  Tamper("UPDATE prospect_audit SET detail = 'table=t2 rows=0' WHERE id = 2");
  const AuditVerification v = VerifyAuditLog(*store_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_id, 2);
  EXPECT_NE(v.problem.find("does not match its hash: it was edited"), std::string::npos)
      << v.problem;
}

// Re-hashing the edited entry does not help: the next entry's prev_hash no longer matches.
TEST_P(AuditChain, ARehashedEditBreaksTheNextLink) {
  AuditEntry e = store_->AuditLog(2).at(0);
  e.detail = "table=t2 rows=0";
  Tamper(fmt::format("UPDATE prospect_audit SET detail = '{}', hash = '{}' WHERE id = 2", e.detail,
                     AuditHash(e)));
  const AuditVerification v = VerifyAuditLog(*store_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_id, 3);
  EXPECT_NE(v.problem.find("does not follow entry 2"), std::string::npos) << v.problem;
}

TEST_P(AuditChain, ADeletedEntryIsFound) {
  Tamper("DELETE FROM prospect_audit WHERE id = 3");
  const AuditVerification v = VerifyAuditLog(*store_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_id, 3);
  EXPECT_NE(v.problem.find("entry 3 is missing (the next entry is 4): deleted"), std::string::npos)
      << v.problem;
}

// Entries cut off the end leave a valid chain; a head recorded before shows the cut.
TEST_P(AuditChain, ACutTailIsFoundAgainstARecordedHead) {
  const std::string head = VerifyAuditLog(*store_).head;
  store_->Audit("forget", "customers=1");
  EXPECT_TRUE(VerifyAuditLog(*store_, head).ok);  // the log grew past the head: fine
  Tamper("DELETE FROM prospect_audit WHERE id >= 5");
  EXPECT_TRUE(VerifyAuditLog(*store_).ok);
  const AuditVerification v = VerifyAuditLog(*store_, head);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("no entry has the head hash " + head), std::string::npos) << v.problem;
}

// Two connections appending at once (two processes, say) still make one chain.
TEST_P(AuditChain, ConcurrentWritersKeepOneChain) {
  auto append = [&](const std::string& actor) {
    auto store = Store::Open(url_);
    store->set_actor(actor);
    for (int i = 0; i < 40; ++i) store->Audit("score", fmt::format("n={}", i));
  };
  std::thread a(append, "key:a"), b(append, "key:b");
  a.join();
  b.join();
  const AuditVerification v = VerifyAuditLog(*store_);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 85);
}

TEST(AuditCli, VerifyExitsWithInvalidDataOnATamperedLog) {
  TempDir dir;
  const std::string flags = "--workspace " + dir.path() + "/w ";
  std::ofstream(dir.File("customers.csv")) << "customer_id,city\n1,Lyon\n2,Porto\n";
  ASSERT_NO_FATAL_FAILURE(
      testing::InitWorkspaceAndIngest(dir, flags, "customers", dir.File("customers.csv")));
  testing::CommandResult r = RunCli(flags + "--json audit verify");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc["ok"].get<bool>());
  EXPECT_GE(doc["entries"].get<int>(), 2);  // init and the ingest

  r = RunCli(flags + "--json audit list --action ingest");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto list = nlohmann::json::parse(r.out)["entries"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["action"], "ingest");
  EXPECT_EQ(list[0]["actor"].get<std::string>().rfind("cli:", 0), 0u);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/w/prospect.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE prospect_audit SET actor = 'someone' WHERE id = 1", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  testing::ExpectCliErrorStartingWith(RunCli(flags + "audit verify"), 3,
                                      "error: audit log: entry 1 (");
}

}  // namespace
}  // namespace prospect
