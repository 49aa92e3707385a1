// Lookalike audiences on a base where one kind of customer is known (a cluster of 600 among
// 3,000): both routes find held-back seeds far above chance, the audience never holds a seed,
// and bad requests name what is wrong.
#include "prospect/targeting/lookalike.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "prospect/common/error.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

// Customers 1..3000: a, b normal around (0, 0), except 1..600 around (1.5, 1.5); c is noise
// and plan a categorical that the cluster favours.
Table Base() {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  const size_t n = 3000;
  ColumnVector<int64_t> id(n);
  ColumnVector<double> a(n), b(n), c(n);
  std::vector<std::string> plan(n);
  for (size_t i = 0; i < n; ++i) {
    const bool kind = i < 600;
    id[i] = static_cast<int64_t>(i + 1);
    a[i] = z(rng) + (kind ? 1.5 : 0);
    b[i] = z(rng) + (kind ? 1.5 : 0);
    c[i] = z(rng);
    plan[i] = u(rng) < (kind ? 0.7 : 0.3) ? "gold" : "basic";
  }
  return Table(Schema({{"customer_id", DataType::kInt64},
                       {"a", DataType::kDouble},
                       {"b", DataType::kDouble},
                       {"c", DataType::kDouble},
                       {"plan", DataType::kString}}),
               {Column::FromInts(DataType::kInt64, std::move(id)),
                Column::FromDoubles(std::move(a)), Column::FromDoubles(std::move(b)),
                Column::FromDoubles(std::move(c)), Column::FromStringVector(plan)});
}

struct LookalikeFixture {
  TempDir dir;
  Workspace ws = Make(dir);
  static Workspace Make(const TempDir& d) {
    Workspace::Init(d.File("w"));
    Workspace ws = Workspace::Open(d.File("w"));
    ws.store().WriteTable("base", Base(), {}, Context(1));
    return ws;
  }
  // 300 seeds: every other customer of the cluster; and two ids the base does not have.
  static LookalikeRequest Request() {
    LookalikeRequest r;
    r.table = "base";
    for (int i = 1; i <= 600; i += 2) r.seeds.push_back(std::to_string(i));
    r.seeds.push_back("99999");
    r.seeds.push_back("x");
    r.size = 300;
    return r;
  }
};

TEST(Lookalike, BothRoutesFindHeldBackSeedsFarAboveChance) {
  LookalikeFixture f;
  const LookalikeResult r = FindLookalikes(f.ws.store(), LookalikeFixture::Request(), Context(1));
  EXPECT_EQ(r.name, "lookalike_base");
  EXPECT_EQ(r.seeds, 300u);
  EXPECT_EQ(r.missing_seeds, 2u);
  EXPECT_EQ(r.warnings.front(), "2 seed ids are not in base and were left out");
  ASSERT_EQ(r.quality.size(), 2u);
  for (const LookalikeQuality& q : r.quality) {
    EXPECT_EQ(q.held_back, 60u);  // 20 % of 300
    EXPECT_EQ(q.seeds_used, 240u);
    EXPECT_NEAR(q.random_recall, 300.0 / (3000 - 240), 1e-12);
    EXPECT_DOUBLE_EQ(q.recall, static_cast<double>(q.found) / 60);
    // A random 300 of 2,760 finds 11 % of them; the cluster is far easier than that.
    EXPECT_GT(q.lift, 4) << q.method;
  }
  EXPECT_EQ(r.method, r.quality[1].recall > r.quality[0].recall ? "classifier" : "neighbours");

  // The audience: 300 customers, no seed, best first, most of them of the seeds' kind.
  const Table stored = f.ws.store().LoadTable("lookalike_base", Context(1));
  ASSERT_EQ(stored.num_rows(), 300u);
  size_t of_kind = 0;
  std::set<int64_t> seen;
  for (size_t i = 0; i < stored.num_rows(); ++i) {
    const auto id = static_cast<int64_t>(stored.column("customer_id").NumericAt(i));
    EXPECT_FALSE(id <= 600 && id % 2 == 1) << "seed " << id << " in the audience";
    EXPECT_TRUE(seen.insert(id).second);
    of_kind += id <= 600;
    EXPECT_EQ(stored.column("rank").NumericAt(i), static_cast<double>(i + 1));
    if (i > 0) {
      EXPECT_GE(stored.column("score").NumericAt(i - 1), stored.column("score").NumericAt(i));
    }
  }
  EXPECT_GT(of_kind, 150u);  // 300 unseeded customers of the kind exist; chance would give 33
}

TEST(Lookalike, ASeedTableAndOneRouteWork) {
  LookalikeFixture f;
  f.ws.store().WriteTable("seeds", Base().Take(std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}),
                          {}, Context(1));
  LookalikeRequest r;
  r.table = "base";
  r.seed_table = "seeds";
  r.method = "neighbours";
  r.size = 50;
  r.name = "ten_like";
  const LookalikeResult res = FindLookalikes(f.ws.store(), r, Context(1));
  EXPECT_EQ(res.seeds, 10u);
  EXPECT_EQ(res.method, "neighbours");
  ASSERT_EQ(res.quality.size(), 1u);
  EXPECT_EQ(res.quality[0].held_back, 2u);
  EXPECT_EQ(res.audience.num_rows(), 50u);
}

TEST(Lookalike, BadRequestsSayWhatIsWrong) {
  LookalikeFixture f;
  auto find = [&](auto change) {
    LookalikeRequest r = LookalikeFixture::Request();
    change(r);
    return [&f, r] { (void)FindLookalikes(f.ws.store(), r, Context(1)); };
  };
  ExpectError(find([](auto& r) {
                r.seeds = {"x", "y"};
              }),
              ErrorCode::kInvalidData, "none of the seed ids is a customer_id of base");
  ExpectError(find([](auto& r) { r.seed_table = "seeds"; }), ErrorCode::kInvalidArgument,
              "lookalike: give the seed ids or a seed table (one of them)");
  ExpectError(find([](auto& r) { r.method = "magic"; }), ErrorCode::kInvalidArgument,
              "method \"magic\": expected auto, neighbours or classifier");
  ExpectError(find([](auto& r) { r.holdout = 1; }), ErrorCode::kInvalidArgument,
              "holdout 1: expected a share in [0, 1)");
}

}  // namespace
}  // namespace prospect
