// CRM records end to end on a SQLite workspace: HubSpot- and Twenty-style CSV exports round trip
// (import, then export to the same tool gives the file back byte for byte), stages are checked
// and their history recorded, time in stage is computed right on a hand-made history, duplicates
// are found, a merge's dry run lists the field choices and the merge is undone from its audit
// entry, and timelines, campaigns, conversion and `forget` cover the CRM tables.
#include "prospect/crm/crm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "prospect/audience/audience.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/crm/activity.hpp"
#include "prospect/crm/merge.hpp"
#include "prospect/crm/pipeline.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/privacy/forget.hpp"
#include "support/expect_error.hpp"
#include "support/pg_test_server.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ReadFileText;
using testing::TempDir;

std::string Fixture(const std::string& name) {
  return testing::SourceDir() + "/tests/fixtures/crm/" + name;
}

// The stages of HubSpot's default deal pipeline, with probabilities as a HubSpot user sets them.
constexpr const char* kHubspotStages = R"(
[crm]
stages = [{name = "Appointment Scheduled", probability = 0.2},
          {name = "Qualified To Buy", probability = 0.4},
          {name = "Presentation Scheduled", probability = 0.6},
          {name = "Decision Maker Bought-In", probability = 0.8},
          {name = "Contract Sent", probability = 0.9},
          {name = "Closed Won", probability = 1.0},
          {name = "Closed Lost", probability = 0.0}]
)";

int64_t At(const std::string& text) { return CrmTime(text); }

class CrmTest : public ::testing::Test {
 protected:
  Workspace MakeWorkspace(const std::string& name, const std::string& config = "",
                          const std::string& store_url = "") {
    const std::string path = dir_.File(name);
    Workspace::Init(path, store_url);
    if (!config.empty()) {
      std::ofstream toml(path + "/prospect.toml", std::ios::app);
      toml << config;
    }
    return Workspace::Open(path);
  }

  CrmImportResult Import(const Workspace& ws, CrmObject object, const std::string& file,
                         CrmSource source, const std::string& at = "2024-06-01 00:00:00") {
    CrmImportRequest request;
    request.object = object;
    request.file = file;
    request.source = source;
    request.at = at;
    return ImportCrm(ws, request, ctx_);
  }

  Workspace HubspotWorkspace(const std::string& name, const std::string& store_url = "") {
    Workspace ws = MakeWorkspace(name, kHubspotStages, store_url);
    Import(ws, CrmObject::kCompanies, Fixture("hubspot_companies.csv"), CrmSource::kHubspot);
    Import(ws, CrmObject::kPeople, Fixture("hubspot_contacts.csv"), CrmSource::kHubspot);
    Import(ws, CrmObject::kOpportunities, Fixture("hubspot_deals.csv"), CrmSource::kHubspot);
    return ws;
  }

  std::string Exported(Store& store, CrmObject object, CrmSource source) {
    return CsvText(ExportCrm(store, object, source, ctx_), ctx_);
  }

  TempDir dir_;
  Context ctx_{1};
};

TEST_F(CrmTest, HubspotExportsRoundTripByteForByte) {
  Workspace ws = HubspotWorkspace("hubspot");
  Store& store = ws.store();
  EXPECT_EQ(Exported(store, CrmObject::kPeople, CrmSource::kHubspot),
            ReadFileText(Fixture("hubspot_contacts.csv")));
  EXPECT_EQ(Exported(store, CrmObject::kCompanies, CrmSource::kHubspot),
            ReadFileText(Fixture("hubspot_companies.csv")));
  EXPECT_EQ(Exported(store, CrmObject::kOpportunities, CrmSource::kHubspot),
            ReadFileText(Fixture("hubspot_deals.csv")));
  // Stored under prospect's names, ids as text, the unmapped column kept as it was.
  const TableInfo people = *store.FindTable("crm_people");
  EXPECT_EQ(people.key, "customer_id");
  EXPECT_EQ(people.schema.field(0).name, "customer_id");
  EXPECT_EQ(people.schema.field(0).type, DataType::kString);
  EXPECT_GE(people.schema.IndexOf("email"), 0);
  EXPECT_GE(people.schema.IndexOf("Lead Status"), 0);
  EXPECT_EQ(store.FindTable("crm_opportunities")->schema.Names()[2], "stage");
}

TEST_F(CrmTest, TwentyExportsRoundTripByteForByteAndCrossOverToHubspotNames) {
  Workspace ws = MakeWorkspace("twenty");  // Twenty's stages are the default ones
  Import(ws, CrmObject::kCompanies, Fixture("twenty_companies.csv"), CrmSource::kTwenty);
  // The usual columns a file lacks (a people export has no stage) are no cause for a warning.
  EXPECT_EQ(Import(ws, CrmObject::kPeople, Fixture("twenty_people.csv"), CrmSource::kTwenty)
                .ingest.warnings,
            std::vector<std::string>{});
  Import(ws, CrmObject::kOpportunities, Fixture("twenty_opportunities.csv"), CrmSource::kTwenty);
  Store& store = ws.store();
  EXPECT_EQ(Exported(store, CrmObject::kPeople, CrmSource::kTwenty),
            ReadFileText(Fixture("twenty_people.csv")));
  EXPECT_EQ(Exported(store, CrmObject::kCompanies, CrmSource::kTwenty),
            ReadFileText(Fixture("twenty_companies.csv")));
  EXPECT_EQ(Exported(store, CrmObject::kOpportunities, CrmSource::kTwenty),
            ReadFileText(Fixture("twenty_opportunities.csv")));
  // To HubSpot: its names for the columns it has, in its order; the rest keep theirs.
  const Table people = ExportCrm(store, CrmObject::kPeople, CrmSource::kHubspot, ctx_);
  EXPECT_EQ(people.schema().Names(),
            (std::vector<std::string>{
                "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title",
                "City", "Primary Associated Company ID", "Create Date", "phone_country"}));
  EXPECT_EQ(people.column("Email").FormatValue(0), "ivan@northwind.example");
}

TEST_F(CrmTest, StagesAreCheckedAndTheirChangesRecorded) {
  Workspace ws = HubspotWorkspace("stages");
  Store& store = ws.store();
  // Each new deal entered its stage when it was created.
  const Table changes = store.LoadTable("crm_stage_changes", ctx_);
  ASSERT_EQ(changes.num_rows(), 5u);
  EXPECT_EQ(changes.column("opportunity_id").FormatValue(0), "7001");
  EXPECT_EQ(changes.column("stage").FormatValue(0), "Closed Won");
  EXPECT_TRUE(changes.column("from_stage").IsNull(0));
  EXPECT_EQ(changes.column("changed_at").FormatValue(0), "2024-01-20 09:00:00");
  EXPECT_EQ(changes.column("customer_id").FormatValue(0), "51");

  // A later export with one deal moved (and written in another case) adds one change, dated
  // by the import, and stores the configured name.
  std::string deals = ReadFileText(Fixture("hubspot_deals.csv"));
  deals.replace(deals.find("Presentation Scheduled"), 22, "contract sent");
  const std::string moved = dir_.Write("deals_moved.csv", deals);
  const CrmImportResult r =
      Import(ws, CrmObject::kOpportunities, moved, CrmSource::kHubspot, "2024-06-10 12:00:00");
  EXPECT_EQ(r.stage_changes, 1);
  const Table after = store.LoadTable("crm_stage_changes", ctx_);
  ASSERT_EQ(after.num_rows(), 6u);
  EXPECT_EQ(after.column("opportunity_id").FormatValue(5), "7002");
  EXPECT_EQ(after.column("from_stage").FormatValue(5), "Presentation Scheduled");
  EXPECT_EQ(after.column("stage").FormatValue(5), "Contract Sent");
  EXPECT_EQ(after.column("changed_at").FormatValue(5), "2024-06-10 12:00:00");
  EXPECT_EQ(store.FindTable("crm_opportunities")->rows, 5);

  // A stage that is not configured is refused, and nothing of that import stays.
  deals.replace(deals.find("contract sent"), 13, "Negotiation");
  const std::string bad = dir_.Write("deals_bad.csv", deals);
  ExpectErrorStartingWith(
      [&] { Import(ws, CrmObject::kOpportunities, bad, CrmSource::kHubspot); },
      bad +
          ": opportunity_id 7002 has stage \"Negotiation\", not one of the configured stages: "
          "Appointment Scheduled, Qualified To Buy",
      "(prospect.toml [crm] stages)");
  EXPECT_EQ(store.LoadTable("crm_stage_changes", ctx_).num_rows(), 6u);
  EXPECT_EQ(LoadStageSnapshot(store, ctx_).at("7002"), "Contract Sent");

  // Moving by hand: recorded once; moving to where it is records nothing.
  const CrmConfig config = CrmConfig::FromJson(ws.Section("crm"));
  const StageMove m =
      MoveToStage(store, config, "7003", "presentation scheduled", At("2024-06-12 08:00:00"), ctx_);
  EXPECT_TRUE(m.moved);
  EXPECT_EQ(m.from, "Qualified To Buy");
  EXPECT_EQ(m.to, "Presentation Scheduled");
  EXPECT_FALSE(
      MoveToStage(store, config, "7003", "Presentation Scheduled", At("2024-06-13"), ctx_).moved);
  EXPECT_EQ(store.LoadTable("crm_stage_changes", ctx_).num_rows(), 7u);
  EXPECT_EQ(store.AuditLog().back().action, "crm.stage");
  ExpectError([&] { MoveToStage(store, config, "7999", "Closed Won", At(""), ctx_); },
              ErrorCode::kNotFound,
              "no opportunities with opportunity_id \"7999\" in crm_opportunities (5 records)");

  // The pipeline weighs each stage's amount by its probability.
  const std::vector<PipelineStage> pipeline = SummarizePipeline(store, config, ctx_);
  ASSERT_EQ(pipeline.size(), 7u);
  EXPECT_EQ(pipeline[0].stage, "Appointment Scheduled");
  EXPECT_EQ(pipeline[0].opportunities, 1);
  EXPECT_DOUBLE_EQ(pipeline[0].weighted_amount, 3000 * 0.2);
  EXPECT_DOUBLE_EQ(pipeline[2].amount, 12000);                  // 7003, now presented
  EXPECT_DOUBLE_EQ(pipeline[4].weighted_amount, 5000.5 * 0.9);  // 7002
  EXPECT_DOUBLE_EQ(pipeline[5].amount, 24000);
  EXPECT_DOUBLE_EQ(pipeline[6].weighted_amount, 0);
}

// Opportunities need no contact: a file without customer_id moves through its stages too.
TEST_F(CrmTest, OpportunitiesWithoutAContactMoveThroughStages) {
  Workspace ws = MakeWorkspace("no-contact");
  Import(ws, CrmObject::kOpportunities,
         dir_.Write("deals.csv", "opportunity_id,name,stage\nX1,Renewal,NEW\n"),
         CrmSource::kProspect);
  const StageMove m = MoveToStage(ws.store(), CrmConfig::FromJson(ws.Section("crm")), "X1",
                                  "MEETING", At("2024-06-03 10:00:00"), ctx_);
  EXPECT_TRUE(m.moved);
  const Table changes = ws.store().LoadTable("crm_stage_changes", ctx_);
  ASSERT_EQ(changes.num_rows(), 2u);
  EXPECT_EQ(changes.column("stage").FormatValue(1), "MEETING");
  EXPECT_TRUE(changes.column("customer_id").IsNull(1));
}

TEST_F(CrmTest, TimeInStageOnAHandMadeHistory) {
  Workspace ws = MakeWorkspace("history");
  Import(ws, CrmObject::kStageChanges, Fixture("stage_history.csv"), CrmSource::kProspect);
  const Table changes = ws.store().LoadTable("crm_stage_changes", ctx_);
  const int64_t as_of = At("2024-03-01 00:00:00");
  // Opportunity A, in time order (the file lists one change out of order): NEW Jan 1 00:00 →
  // SCREENING Jan 3 12:00 (2.5 days) → MEETING Jan 10 (6.5), again MEETING Jan 12 (the same
  // stay) → PROPOSAL Jan 20 (10) → CUSTOMER Feb 1 (12), still there on Mar 1 (29).
  const std::vector<StageVisit> a = StageVisits(changes, "A", as_of);
  ASSERT_EQ(a.size(), 5u);
  const std::vector<std::pair<std::string, double>> expected_a = {
      {"NEW", 2.5}, {"SCREENING", 6.5}, {"MEETING", 10}, {"PROPOSAL", 12}, {"CUSTOMER", 29}};
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].stage, expected_a[i].first);
    EXPECT_DOUBLE_EQ(a[i].days, expected_a[i].second) << a[i].stage;
  }
  EXPECT_FALSE(a.back().left.has_value());
  EXPECT_EQ(FormatTimestamp(*a[2].left), "2024-01-20 00:00:00");

  // B (stages written "new", "Meeting": stored as configured): NEW Jan 5 00:00 → MEETING Jan 6
  // 06:00 (1.25) → SCREENING Jan 8 06:00 (2) → MEETING Jan 9 06:00 (1) → LOST Jan 15 06:00 (6),
  // there 45.75 days on Mar 1. C: NEW since Feb 20, 10 days.
  // Per stage, completed stays: NEW {2.5, 1.25} mean and median 1.875; SCREENING {6.5, 1}
  // 3.75; MEETING {10, 2, 6} mean 6, median 6; PROPOSAL {12}. Open: NEW {10}, CUSTOMER {29},
  // LOST {45.75}.
  const std::vector<StageTime> times =
      TimeInStage(StageVisits(changes, "", as_of), CrmConfig::FromJson(ws.Section("crm")));
  ASSERT_EQ(times.size(), 6u);
  const auto stage = [&](const std::string& name) {
    return *std::find_if(times.begin(), times.end(),
                         [&](const StageTime& t) { return t.stage == name; });
  };
  EXPECT_EQ(stage("NEW").completed, 2);
  EXPECT_DOUBLE_EQ(stage("NEW").mean_days, 1.875);
  EXPECT_DOUBLE_EQ(stage("NEW").median_days, 1.875);
  EXPECT_EQ(stage("NEW").open, 1);
  EXPECT_DOUBLE_EQ(stage("NEW").open_mean_days, 10);
  EXPECT_DOUBLE_EQ(stage("SCREENING").mean_days, 3.75);
  EXPECT_EQ(stage("MEETING").completed, 3);
  EXPECT_DOUBLE_EQ(stage("MEETING").mean_days, 6);
  EXPECT_DOUBLE_EQ(stage("MEETING").median_days, 6);
  EXPECT_DOUBLE_EQ(stage("PROPOSAL").median_days, 12);
  EXPECT_EQ(stage("CUSTOMER").completed, 0);
  EXPECT_TRUE(std::isnan(stage("CUSTOMER").mean_days));
  EXPECT_DOUBLE_EQ(stage("CUSTOMER").open_mean_days, 29);
  EXPECT_DOUBLE_EQ(stage("LOST").open_mean_days, 45.75);
}

TEST_F(CrmTest, FindsDuplicatePeopleAndCompanies) {
  Workspace ws = HubspotWorkspace("duplicates");
  const Table people = ws.store().LoadTable("crm_people", ctx_);
  // 51/57: one e-mail in two cases, and the same name at the same company; 52/58: one phone
  // written two ways (and the same name in one city).
  const std::vector<DuplicateGroup> groups = FindDuplicates(people, CrmObject::kPeople, "US");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].ids, (std::vector<std::string>{"51", "57"}));
  EXPECT_EQ(groups[0].reasons, (std::vector<std::string>{"same email", "same name and city",
                                                         "same name and company"}));
  EXPECT_EQ(groups[1].ids, (std::vector<std::string>{"52", "58"}));
  EXPECT_EQ(groups[1].reasons, (std::vector<std::string>{"same name and city",
                                                         "same name and company", "same phone"}));
  // "Acme Inc." at acme.com and "ACME" at https://www.acme.com/about.
  const std::vector<DuplicateGroup> companies =
      FindDuplicates(ws.store().LoadTable("crm_companies", ctx_), CrmObject::kCompanies);
  ASSERT_EQ(companies.size(), 1u);
  EXPECT_EQ(companies[0].ids, (std::vector<std::string>{"9001", "9004"}));
  EXPECT_EQ(companies[0].reasons, (std::vector<std::string>{"same domain", "same name"}));
}

// Rows as text, sorted: a table's content whatever its row order.
std::vector<std::string> SortedRows(const Table& t) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < t.num_columns(); ++c)
      row += (t.column(c)->IsNull(r) ? "<null>" : t.column(c)->FormatValue(r)) + "|";
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The merge of two HubSpot contacts: a dry run, the merge, its undo, and an undo refused.
void CheckMergeAndUndo(Workspace& ws, const Context& ctx) {
  Store& store = ws.store();
  const std::vector<std::string> tables = {"crm_people", "crm_opportunities", "crm_stage_changes"};
  std::map<std::string, std::vector<std::string>> before;
  for (const std::string& t : tables) before[t] = SortedRows(store.LoadTable(t, ctx));

  MergeRequest request;
  request.object = CrmObject::kPeople;
  request.keep = "51";
  request.other = "57";
  request.take["job_title"] = "other";
  const MergeResult plan = MergeRecords(store, request, ctx);
  EXPECT_FALSE(plan.merged);
  const auto choice = [&](const MergeResult& r, const std::string& field) {
    return *std::find_if(r.fields.begin(), r.fields.end(),
                         [&](const FieldChoice& f) { return f.field == field; });
  };
  EXPECT_EQ(choice(plan, "customer_id").winner, "keep");
  EXPECT_EQ(choice(plan, "first_name").winner, "keep");  // "Ana" over "ana"
  EXPECT_EQ(choice(plan, "first_name").other, "ana");
  EXPECT_EQ(choice(plan, "city").winner, "same");
  EXPECT_EQ(choice(plan, "job_title").winner, "other");
  EXPECT_EQ(choice(plan, "job_title").reason, "asked");
  EXPECT_EQ(choice(plan, "Lead Status").winner, "other");  // 51 has none
  EXPECT_EQ(choice(plan, "Lead Status").reason, "kept record's is empty");
  EXPECT_FALSE(choice(plan, "Lead Status").keep.has_value());
  ASSERT_EQ(plan.references.size(), 2u);
  EXPECT_EQ(plan.references[0].table, "crm_opportunities");  // deal 7004
  EXPECT_EQ(plan.references[0].rows, 1);
  EXPECT_EQ(plan.references[1].table, "crm_stage_changes");
  for (const std::string& t : tables) EXPECT_EQ(SortedRows(store.LoadTable(t, ctx)), before[t]);

  request.dry_run = false;
  const MergeResult merged = MergeRecords(store, request, ctx);
  ASSERT_TRUE(merged.merged);
  const AuditEntry entry = store.AuditLog(merged.audit_id).front();
  EXPECT_EQ(entry.action, "crm.merge");
  EXPECT_EQ(entry.detail, "object=people undo=crm.undo/merge-1 fields_from_other=2 references=2");
  const Table people = store.LoadTable("crm_people", ctx);
  EXPECT_EQ(people.num_rows(), 5u);
  const Table kept = people.Take(std::vector<size_t>{0});
  EXPECT_EQ(kept.column("customer_id").FormatValue(0), "51");
  EXPECT_EQ(kept.column("job_title").FormatValue(0), "Growth Lead");
  EXPECT_EQ(kept.column("Lead Status").FormatValue(0), "NEW");
  EXPECT_EQ(kept.column("phone").FormatValue(0), "+34 612 345 678");
  const Table deals = store.LoadTable("crm_opportunities", ctx);
  EXPECT_EQ(deals.column("customer_id").FormatValue(3), "51");  // 7004 was 57's

  // Undo from the audit entry: every table as it was.
  const UndoResult undone = UndoMerge(store, merged.audit_id, ctx);
  EXPECT_EQ(undone.tables.size(), 3u);
  for (const std::string& t : tables) EXPECT_EQ(SortedRows(store.LoadTable(t, ctx)), before[t]);
  EXPECT_EQ(store.AuditLog().back().action, "crm.undo");
  ExpectError([&] { UndoMerge(store, merged.audit_id, ctx); }, ErrorCode::kFailedPrecondition,
              fmt::format("merge {} was undone already", merged.audit_id));
  ExpectError([&] { UndoMerge(store, undone.audit_id, ctx); }, ErrorCode::kInvalidArgument,
              fmt::format("audit entry {} is a crm.undo, not a crm.merge", undone.audit_id));

  // A change to the kept record after a merge makes its undo refuse rather than lose it.
  const MergeResult again = MergeRecords(store, request, ctx);
  const CrmConfig config = CrmConfig::FromJson(ws.Section("crm"));
  MoveToStage(store, config, "7004", "Closed Won", At("2024-06-20"), ctx);
  ExpectErrorStartingWith([&] { UndoMerge(store, again.audit_id, ctx); },
                          "crm_opportunities changed since merge",
                          "undoing would lose that change");
}

TEST_F(CrmTest, MergeDryRunListsChoicesAndTheMergeIsUndoneFromItsAuditEntry) {
  Workspace ws = HubspotWorkspace("merge");
  CheckMergeAndUndo(ws, ctx_);
}

TEST_F(CrmTest, MergeAndUndoOnPostgres) {
  PROSPECT_REQUIRE_POSTGRES();
  testing::PgTestSchema schema;
  Workspace ws = HubspotWorkspace("merge-pg", schema.url());
  CheckMergeAndUndo(ws, ctx_);
}

TEST_F(CrmTest, TimelineCampaignsConversionAndForget) {
  Workspace ws = HubspotWorkspace("activity");
  Store& store = ws.store();
  const std::string customers =
      dir_.Write("customers.csv",
                 "customer_id,signup_date,first_name,email\n51,2024-01-16,Ana,"
                 "ana.garcia@example.com\n");
  IngestRequest ingest;
  ingest.table = "customers";
  ingest.file = customers;
  Ingest(ws, ingest, ctx_);
  const std::string events =
      dir_.Write("events.csv",
                 "customer_id,timestamp,type,item_id\n51,2024-02-02 10:00:00,view,sku-1\n"
                 "52,2024-02-03 10:00:00,view,sku-2\n");
  ingest.table = "events";
  ingest.file = events;
  Ingest(ws, ingest, ctx_);

  AudienceSaveRequest audience;
  audience.name = "spring";
  audience.table = "crm_people";
  audience.where = "customer_id IN ('51', '52', '53')";
  SaveAudience(store, audience, ctx_);
  EXPECT_EQ(SendCampaign(store, "spring-promo", "spring", At("2024-03-01 09:00:00"), ctx_), 3);
  EXPECT_EQ(SendCampaign(store, "spring-promo", "spring", At("2024-03-02 09:00:00"), ctx_), 0);
  RecordResponse(store, "spring-promo", "51", At("2024-03-03 18:00:00"), ctx_);
  ExpectError([&] { RecordResponse(store, "spring-promo", "54", At(""), ctx_); },
              ErrorCode::kNotFound, "customer \"54\" was not sent campaign \"spring-promo\"");
  const std::vector<CampaignOutcome> results = SummarizeCampaigns(store, ctx_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].sent, 3);
  EXPECT_EQ(results[0].responded, 1);
  // statsmodels: proportion_confint(1, 3, alpha=0.05, method="wilson")
  EXPECT_NEAR(results[0].ci_low, 0.06149194472039626, 1e-12);
  EXPECT_NEAR(results[0].ci_high, 0.7923403991979523, 1e-12);
  AddNote(store, "51", "Asked for the annual plan", At("2024-03-04 11:00:00"), ctx_);

  const std::vector<TimelineEntry> timeline = PersonTimeline(ws, "51", 0, ctx_);
  std::vector<std::string> lines;
  for (const TimelineEntry& e : timeline)
    lines.push_back(FormatTimestamp(e.at) + " " + e.kind + " " + e.summary);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "2024-03-04 11:00:00 note note: Asked for the annual plan",
                       "2024-03-03 18:00:00 campaign responded to campaign spring-promo",
                       "2024-03-01 09:00:00 campaign sent campaign spring-promo",
                       "2024-02-02 10:00:00 event event view item sku-1",
                       "2024-01-20 09:00:00 opportunity opportunity 7001 opened (Acme annual plan)",
                       "2024-01-20 09:00:00 stage opportunity 7001 entered Closed Won",
                       "2024-01-15 10:30:00 lead CRM record created (customer)"}));
  ExpectError([&] { PersonTimeline(ws, "nobody", 0, ctx_); }, ErrorCode::kNotFound,
              "customer \"nobody\" has no CRM record, events, orders or campaigns");

  // A lead becomes a customer, with the columns the two tables share.
  const Conversion c = ConvertLead(ws, "52", At("2024-06-02 10:00:00"), ctx_);
  EXPECT_TRUE(c.added_to_customers);
  EXPECT_EQ(c.copied_columns, (std::vector<std::string>{"signup_date", "first_name", "email"}));
  const Table after = store.LoadTable("customers", ctx_);
  ASSERT_EQ(after.num_rows(), 2u);
  EXPECT_EQ(after.column("customer_id").FormatValue(1), "52");
  EXPECT_EQ(after.column("signup_date").FormatValue(1), "2024-06-02");
  EXPECT_EQ(after.column("email").FormatValue(1), "bo.chen@example.com");
  const Table people = store.LoadTable("crm_people", ctx_);
  EXPECT_EQ(people.column("lifecycle").FormatValue(1), "customer");
  EXPECT_EQ(people.column("converted_at").FormatValue(1), "2024-06-02 10:00:00");
  EXPECT_FALSE(ConvertLead(ws, "52", At(""), ctx_).added_to_customers);

  // Forget reaches every CRM table and the undo rows of a merge that held the person.
  MergeRequest merge;
  merge.keep = "51";
  merge.other = "57";
  merge.dry_run = false;
  const MergeResult merged = MergeRecords(store, merge, ctx_);
  ForgetRequest forget;
  forget.ids = {"51"};
  const ForgetResult f = Forget(store, forget, ctx_);
  for (const char* table : {"crm_people", "crm_opportunities", "crm_stage_changes",
                            "crm_campaign_members", "crm_notes", "customers", "events"}) {
    const Table t = store.LoadTable(table, {"customer_id"}, ctx_);
    for (size_t r = 0; r < t.num_rows(); ++r) EXPECT_NE(t.column(0)->FormatValue(r), "51") << table;
  }
  EXPECT_EQ(f.merge_undos, 1);
  ExpectError([&] { UndoMerge(store, merged.audit_id, ctx_); }, ErrorCode::kFailedPrecondition,
              fmt::format("merge {} cannot be undone: a person in it was erased by forget",
                          merged.audit_id));
}

}  // namespace
}  // namespace prospect
