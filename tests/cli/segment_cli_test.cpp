// `prospect segment` as a user runs it on tables that are not the generator's: the id column the
// segments table carries, and k=auto with methods that cannot choose k.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::RunCli;
using testing::TempDir;

// 60 households in three well-separated groups of spend and visits.
std::string HouseholdCsv(const std::string& id_name) {
  std::string csv = fmt::format("{},spend,visits\n", id_name);
  for (int i = 0; i < 60; ++i)
    csv += fmt::format("{},{},{}\n", 1000 + i * 7, 10 + (i % 3) * 500 + i % 5, 1 + (i % 3) * 20);
  return csv;
}

struct SegmentWorkspace {
  TempDir dir;
  std::string ws = "--workspace " + dir.path() + "/w ";
  SegmentWorkspace() { EXPECT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0); }
};

TEST(CliSegment, SegmentsCarryAnIdNamedLikeOneWhenTheTableHasNoCustomerId) {
  SegmentWorkspace w;
  ASSERT_EQ(
      RunCli(w.ws + "ingest rfm " + w.dir.Write("rfm.csv", HouseholdCsv("household_id"))).exit_code,
      0);
  auto r = RunCli(w.ws + "segment --table rfm --method kmeans --k 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli(w.ws + "--json tables segments");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["tables"][0]["columns"][0]["name"], "household_id") << r.out;
  // The id is carried, not segmented on: the features are spend and visits only.
  r = RunCli(w.ws + "--json segment --table rfm --method kmeans --k 3");
  const auto seg = nlohmann::json::parse(r.out);
  EXPECT_EQ(seg["features"], nlohmann::json({"spend", "visits"})) << r.out;
}

TEST(CliSegment, TheTablesKeyWinsAndAMissingIdIsAnErrorNamingTheFix) {
  SegmentWorkspace w;
  ASSERT_EQ(RunCli(w.ws + "ingest keyed " + w.dir.Write("k.csv", HouseholdCsv("hh")) + " --key hh")
                .exit_code,
            0);
  ASSERT_EQ(RunCli(w.ws + "segment --table keyed --method kmeans --k 3").exit_code, 0);
  auto r = RunCli(w.ws + "export segments --out -");
  EXPECT_EQ(r.out.rfind("hh,segment,segment_name\n1000,", 0), 0u) << r.out;

  ASSERT_EQ(
      RunCli(w.ws + "ingest anon " + w.dir.Write("a.csv", "spend,visits\n1,2\n3,4\n5,6\n7,8\n"))
          .exit_code,
      0);
  r = RunCli(w.ws + "segment --table anon --method kmeans --k 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: table anon has no id column to carry into the segments table (looked for its "
            "key, customer_id, and "
            "a unique column named like an id). Possible fix: name the id column (--id COLUMN)\n");
  r = RunCli(w.ws + "segment --table anon --method kmeans --k 2 --id nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: id column \"nope\" is not in table anon\n");
}

TEST(CliSegment, MethodsThatCannotChooseKSaySoUnderTheDefaultAuto) {
  SegmentWorkspace w;
  ASSERT_EQ(
      RunCli(w.ws + "ingest rfm " + w.dir.Write("rfm.csv", HouseholdCsv("household_id"))).exit_code,
      0);
  for (const char* method : {"ward", "minibatch_kmeans"}) {
    auto r = RunCli(w.ws + "segment --table rfm --method " + method);
    EXPECT_EQ(r.exit_code, 2) << method;
    EXPECT_EQ(
        r.err,
        fmt::format(
            "error: {} does not choose the number of segments itself: set k to a number (--k 5), "
            "or use kmeans (chooses k by silhouette) or gmm (by BIC)\n",
            method));
    EXPECT_EQ(RunCli(w.ws + "segment --table rfm --k 3 --method " + method).exit_code, 0) << method;
  }
}

TEST(CliSegment, KMustBeAWholeNumberOrAuto) {
  SegmentWorkspace w;
  ASSERT_EQ(
      RunCli(w.ws + "ingest rfm " + w.dir.Write("rfm.csv", HouseholdCsv("household_id"))).exit_code,
      0);
  // Once read as 3 (stoll stops at the first non-digit); now the whole value must be a number.
  const auto r = RunCli(w.ws + "segment --table rfm --method kmeans --k 3x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --k \"3x\": expected a number or auto\n");
}

}  // namespace
}  // namespace prospect
