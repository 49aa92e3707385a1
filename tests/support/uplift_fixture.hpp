// A small randomised campaign with known effects for the uplift, targeting and report tests.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "prospect/targeting/uplift.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect::testing {

// n customers: x0, x1 uniform in [-1, 1]; arm "none", "a" or "b" at random (or, with
// `confounded`, "a" mostly where x1 > 0), and "other" for every 30th row; response 0/1 with
// rate 0.2, plus 0.3 in arm a where x0 > 0 and in arm b where x1 > 0. Every 50th response is
// empty.
inline Table Campaign(size_t n, uint64_t seed, bool confounded = false) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1), p(0, 1);
  ColumnVector<int64_t> id(n), response(n);
  ColumnVector<uint8_t> response_valid(n, 1);
  ColumnVector<double> x0(n), x1(n);
  std::vector<std::string> arm(n);
  for (size_t i = 0; i < n; ++i) {
    id[i] = static_cast<int64_t>(i + 1);
    x0[i] = u(rng);
    x1[i] = u(rng);
    const double draw = p(rng);
    if (confounded) {
      arm[i] = draw < (x1[i] > 0 ? 0.6 : 0.2) ? "a" : "none";
    } else {
      arm[i] = draw < 1.0 / 3 ? "none" : draw < 2.0 / 3 ? "a" : "b";
    }
    if (i % 30 == 29) arm[i] = "other";
    const double rate = 0.2 + 0.3 * ((arm[i] == "a" && x0[i] > 0) || (arm[i] == "b" && x1[i] > 0));
    response[i] = p(rng) < rate;
    if (i % 50 == 49) response_valid[i] = 0;
  }
  return Table(
      Schema({{"customer_id", DataType::kInt64},
              {"x0", DataType::kDouble},
              {"x1", DataType::kDouble},
              {"arm", DataType::kString},
              {"response", DataType::kInt64}}),
      {Column::FromInts(DataType::kInt64, std::move(id)), Column::FromDoubles(std::move(x0)),
       Column::FromDoubles(std::move(x1)), Column::FromStringVector(arm),
       Column::FromInts(DataType::kInt64, std::move(response), std::move(response_valid))});
}

struct UpliftFixture {
  TempDir dir;
  Workspace ws = Make(dir);
  static Workspace Make(const TempDir& d) {
    Workspace::Init(d.File("w"));
    Workspace ws = Workspace::Open(d.File("w"));
    ws.store().WriteTable("campaign", Campaign(6000, 1), {}, Context(1));
    ws.store().WriteTable("campaign_next", Campaign(3000, 2), {}, Context(1));
    ws.store().WriteTable("confounded", Campaign(3000, 3, true), {}, Context(1));
    return ws;
  }
  static UpliftTrainRequest Request() {
    UpliftTrainRequest r;
    r.table = "campaign";
    r.treatment = "arm";
    r.control = "none";
    r.treatments = {"a", "b"};
    r.target = "response";
    r.id_column = "customer_id";
    r.learner = "t";
    r.model = "logistic";
    return r;
  }
};

}  // namespace prospect::testing
