// `prospect segment --truth TABLE.COLUMN`: the adjusted Rand index against known segments,
// checked against sklearn's adjusted_rand_score (tests/fixtures/cluster/make_truth_fixture.py),
// and the errors for a bad spec, a missing table and a missing column.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "prospect/workspace/workspace.hpp"
#include "support/cli_expect.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliFailure;
using testing::RunCli;
using testing::TempDir;

const nlohmann::json& SegmentTruthFixture() {
  return testing::LoadJsonFixture("cluster/truth_fixture.json");
}

std::string MakeWorkspace(const TempDir& dir, const nlohmann::json& f) {
  const std::string ws = dir.File("w");
  Workspace::Init(ws);
  Workspace w = Workspace::Open(ws);
  const Context ctx(1);
  w.store().WriteTable(
      "points",
      Table(Schema({{"customer_id", DataType::kInt64},
                    {"x", DataType::kDouble},
                    {"y", DataType::kDouble}}),
            {Column::FromInts(DataType::kInt64, f["id"].get<ColumnVector<int64_t>>()),
             Column::FromDoubles(f["x"].get<ColumnVector<double>>()),
             Column::FromDoubles(f["y"].get<ColumnVector<double>>())}),
      {}, ctx);
  w.store().WriteTable(
      "known",
      Table(Schema({{"customer_id", DataType::kInt64}, {"segment", DataType::kString}}),
            {Column::FromInts(DataType::kInt64, f["known_id"].get<ColumnVector<int64_t>>()),
             Column::FromStringVector(f["known"].get<std::vector<std::string>>())}),
      {}, ctx);
  return ws;
}

TEST(CliSegmentTruth, ReportsTheAdjustedRandIndexAgainstKnownSegments) {
  const nlohmann::json f = SegmentTruthFixture();
  TempDir dir;
  const std::string ws = MakeWorkspace(dir, f);
  auto r = RunCli("--workspace " + ws +
                  " --json segment --table points --method kmeans --k 3 --truth known.segment");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& t = doc["truth"];
  EXPECT_EQ(t["table"], "known");
  EXPECT_EQ(t["column"], "segment");
  EXPECT_EQ(t["rows"], 120);
  EXPECT_EQ(t["rows_matched"], f["rows_matched"]);
  EXPECT_NEAR(t["adjusted_rand_index"].get<double>(), f["ari"].get<double>(), 1e-12);
  EXPECT_EQ(t["known_segments"], nlohmann::json({"alpha", "beta", "gamma"}));
  // The crosstab counts every matched row once.
  int64_t counted = 0;
  for (const auto& row : t["crosstab"]) {
    for (const auto& c : row["counts"]) counted += c.get<int64_t>();
  }
  EXPECT_EQ(counted, f["rows_matched"].get<int64_t>());

  r = RunCli("--workspace " + ws +
             " segment --table points --method kmeans --k 3 --truth known.segment");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(fmt::format(
                "Adjusted Rand index against known.segment: {:.4f} (114 of 120 rows have a known "
                "segment)",
                f["ari"].get<double>())),
            std::string::npos)
      << r.out;
}

TEST(CliSegmentTruth, BadSpecsSayWhatIsExpected) {
  const nlohmann::json f = SegmentTruthFixture();
  TempDir dir;
  const std::string ws = MakeWorkspace(dir, f);
  const std::string base =
      "--workspace " + ws + " segment --table points --method kmeans --k 3 --truth ";
  ExpectCliFailure(
      RunCli(base + "segment"),
      "error: --truth \"segment\": expected TABLE.COLUMN, for example ground_truth.segment");
  ExpectCliFailure(RunCli(base + "nope.segment"),
                   "error: --truth nope.segment: no table nope in the workspace; ingest it first");
  ExpectCliFailure(RunCli(base + "known.segmnt"),
                   "error: --truth known.segmnt: table known has no column segmnt; its columns: "
                   "customer_id, segment");
}

}  // namespace
}  // namespace prospect
