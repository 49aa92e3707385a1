// `prospect evaluate` and `explain` as library calls: the held-out rows are the ones training
// held out, threshold choice, calibration saved with the model and applied by Score, TreeSHAP
// contributions adding up to the margin, permutation importance on held-out rows, reasons in words.
#include "prospect/models/evaluation.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/models/training.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

// y ~ Bernoulli(σ(1.5·x1 − x2 + 0.8·[cat = b] − 2)): imbalanced (~20% positive), x3 is noise.
// The features of `garbled_rows` are replaced by far-off values and an unseen level (labels kept).
Table MakeTable(size_t n, uint32_t seed, const std::vector<size_t>& garbled_rows = {}) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif;
  ColumnVector<double> x1(n), x2(n), x3(n);
  std::vector<std::string> cat(n);
  ColumnVector<int64_t> y(n), id(n);
  for (size_t i = 0; i < n; ++i) {
    x1[i] = normal(rng);
    x2[i] = normal(rng);
    x3[i] = normal(rng);
    const double u = unif(rng);
    static const std::string kLevels[] = {
        "a", "b", "c"};  // (a const char* assignment trips g++ 12's -Wrestrict)
    cat[i] = kLevels[u < 0.4 ? 0 : u < 0.7 ? 1 : 2];
    const double z = 1.5 * x1[i] - x2[i] + (cat[i] == "b" ? 0.8 : 0.0) - 2;
    y[i] = unif(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    id[i] = static_cast<int64_t>(1000 + i);
  }
  for (size_t i : garbled_rows) {
    x1[i] = 1e6 + static_cast<double>(i);
    x2[i] = -1e6;
    x3[i] = 1e9;
    cat[i] = "garbled";
  }
  return Table(Schema({{"id", DataType::kInt64},
                       {"x1", DataType::kDouble},
                       {"x2", DataType::kDouble},
                       {"x3", DataType::kDouble},
                       {"cat", DataType::kString},
                       {"y", DataType::kInt64}}),
               {Column::FromInts(DataType::kInt64, id), Column::FromDoubles(x1),
                Column::FromDoubles(x2), Column::FromDoubles(x3), Column::FromStringVector(cat),
                Column::FromInts(DataType::kInt64, y)});
}

// Predict y from every other column but the id. (std::string moves: assigning the string
// literals trips g++ 12's false -Wrestrict.)
TrainRequest LeadsRequest(std::string table, std::string model, std::string name,
                          nlohmann::json params = nlohmann::json::object()) {
  TrainRequest r;
  r.table = std::move(table);
  r.target = std::string("y");
  r.id_column = std::string("id");
  r.model = std::move(model);
  r.params = std::move(params);
  r.name = std::move(name);
  return r;
}

struct EvalFixture {
  TempDir dir;
  Workspace ws = Make(dir);
  static Workspace Make(const TempDir& d) {
    Workspace::Init(d.File("w"));
    Workspace ws = Workspace::Open(d.File("w"));
    ws.store().WriteTable("leads", MakeTable(3000, 5), {}, Context(1));
    ws.store().WriteTable("leads_new", MakeTable(1500, 6), {}, Context(1));
    return ws;
  }
  TrainResult Train(const std::string& model, nlohmann::json params = nlohmann::json::object()) {
    return TrainModel(
        ws.store(), LeadsRequest("leads", model, fmt::format("leads_{}", model), std::move(params)),
        Context(1));
  }
};

TEST(Evaluate, DefaultRowsAreExactlyTheOnesTrainingHeldOut) {
  EvalFixture f;
  const TrainResult t = f.Train("logistic");
  const ModelPackage m = LoadModel(f.ws.store(), t.name);
  const Table table = f.ws.store().LoadTable("leads", Context(1));
  const std::vector<size_t> held = HeldOutRows(m, table);
  ASSERT_EQ(held.size(), t.summary["rows"]["test"].get<size_t>());
  // Training computed its held-out metrics from its own split; the reproduced rows give the same.
  const Table part = table.Take(held);
  const double auc = RocAuc(m.Labels(part), m.Score(part, Context(1)));
  EXPECT_NEAR(auc, t.holdout.roc_auc, 1e-12);
  EvaluateRequest req;
  req.model = t.name;
  const EvaluateResult r = EvaluateModel(f.ws.store(), req, Context(1));
  EXPECT_EQ(r.rows_used, "held-out");
  EXPECT_EQ(r.rows, held.size());
  EXPECT_NEAR(r.metrics.roc_auc, t.holdout.roc_auc, 1e-12);
  EXPECT_TRUE(r.warnings.empty());
  // Another table: all its rows.
  req.table = "leads_new";
  const EvaluateResult other = EvaluateModel(f.ws.store(), req, Context(1));
  EXPECT_EQ(other.rows_used, "all");
  EXPECT_EQ(other.rows, 1500u);
  // A table that changed since training: all rows, with a warning.
  f.ws.store().WriteTable("leads", MakeTable(3000, 7), {}, Context(1));
  req.table = "";
  const EvaluateResult changed = EvaluateModel(f.ws.store(), req, Context(1));
  EXPECT_EQ(changed.rows_used, "all");
  ASSERT_EQ(changed.warnings.size(), 1u);
  EXPECT_NE(changed.warnings[0].find("changed since model leads_logistic v1 was trained"),
            std::string::npos);
}

TEST(Evaluate, HeldOutRowsTakeNoPartInFitting) {
  // Garble the features of exactly the rows evaluation calls held out (labels, and so the split,
  // stay the same) and train again: if no held-out row reached the fit — the model, the scaling,
  // the imputation, the one-hot levels, gbdt's early-stopping part — the two models are the same.
  EvalFixture f;
  const Table leads = f.ws.store().LoadTable("leads", Context(1));
  const Table fresh = f.ws.store().LoadTable("leads_new", Context(1));
  for (const std::string model : {"logistic", "gbdt", "forest"}) {
    SCOPED_TRACE(model);
    const TrainResult t = f.Train(model);
    const ModelPackage m = LoadModel(f.ws.store(), t.name);
    const std::vector<size_t> held = HeldOutRows(m, leads);
    ASSERT_EQ(held.size(), 600u);
    f.ws.store().WriteTable("leads_garbled", MakeTable(3000, 5, held), {}, Context(1));
    TrainRequest r = LeadsRequest("leads_garbled", model, fmt::format("garbled_{}", model));
    TrainModel(f.ws.store(), r, Context(1));
    const ModelPackage g = LoadModel(f.ws.store(), r.name);
    EXPECT_EQ(g.Score(fresh, Context(1)), m.Score(fresh, Context(1)));
    // And the check can fail: garbling one fitted row instead changes the model.
    size_t fitted_row = 0;
    while (std::binary_search(held.begin(), held.end(), fitted_row)) ++fitted_row;
    f.ws.store().WriteTable("leads_garbled", MakeTable(3000, 5, {fitted_row}), {}, Context(1));
    r.name = fmt::format("garbled_fit_{}", model);
    TrainModel(f.ws.store(), r, Context(1));
    EXPECT_NE(LoadModel(f.ws.store(), r.name).Score(fresh, Context(1)), m.Score(fresh, Context(1)));
  }
}

TEST(Evaluate, ThresholdChoicesAreAppliedToTheConfusionMatrix) {
  EvalFixture f;
  const TrainResult t = f.Train("logistic");
  EvaluateRequest req;
  req.model = t.name;
  req.table = "leads_new";
  req.threshold = "max-f1";
  const EvaluateResult r = EvaluateModel(f.ws.store(), req, Context(1));
  EXPECT_EQ(r.metrics.options.threshold, r.metrics.max_f1.threshold);
  EXPECT_NEAR(r.metrics.f1, r.metrics.max_f1.metric, 1e-12);
  // Brute force over every distinct score: none has a higher F1.
  const ModelPackage m = LoadModel(f.ws.store(), t.name);
  const Table table = f.ws.store().LoadTable("leads_new", Context(1));
  const auto y = m.Labels(table);
  const auto p = m.Score(table, Context(1));
  for (size_t i = 0; i < p.size(); i += 7) EXPECT_LE(F1Score(y, p, p[i]), r.metrics.f1 + 1e-12);

  req.threshold = "max-profit";
  req.value_per_conversion = 50;
  req.cost_per_contact = 4;
  const EvaluateResult profit = EvaluateModel(f.ws.store(), req, Context(1));
  ASSERT_TRUE(profit.metrics.max_profit.has_value());
  EXPECT_EQ(profit.metrics.options.threshold, profit.metrics.max_profit->threshold);
  const ConfusionMatrix& c = profit.metrics.confusion;
  EXPECT_NEAR(c.tp * 50 - (c.tp + c.fp) * 4, profit.metrics.max_profit->metric, 1e-9);
  EXPECT_DOUBLE_EQ(c.tp + c.fp, profit.metrics.max_profit->contacts);
}

TEST(Evaluate, BadRequestsNameTheProblem) {
  EvalFixture f;
  const TrainResult t = f.Train("logistic");
  EvaluateRequest req;
  req.model = t.name;
  auto message = [&](const EvaluateRequest& r) {
    try {
      (void)EvaluateModel(f.ws.store(), r, Context(1));
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  req.threshold = "1.5";
  EXPECT_EQ(message(req),
            "--threshold \"1.5\": expected a probability between 0 and 1, max-f1 or max-profit");
  req.threshold = "max-profit";
  EXPECT_EQ(message(req),
            "--threshold max-profit needs --value-per-conversion V and --cost-per-contact C (the "
            "money a conversion "
            "brings and a contact costs)");
  req.threshold = "0.5";
  req.value_per_conversion = 3;
  EXPECT_EQ(message(req),
            "give --value-per-conversion and --cost-per-contact together (one is missing)");
  req.value_per_conversion.reset();
  req.calibrate = "beta";
  EXPECT_EQ(message(req), "--calibrate \"beta\": use platt or isotonic");
}

TEST(Evaluate, CalibrationIsSavedAsANewVersionAndScoreAppliesIt) {
  EvalFixture f;
  // Balanced class weights inflate the probabilities of a 20%-positive target: badly calibrated.
  const TrainResult t = f.Train("logistic", {{"class_weight", "balanced"}});
  for (const std::string method : {"platt", "isotonic"}) {
    EvaluateRequest req;
    req.model = t.name;
    req.version = t.version;
    req.calibrate = method;
    const EvaluateResult r = EvaluateModel(f.ws.store(), req, Context(1));
    ASSERT_TRUE(r.calibrated.has_value());
    // Cross-fitted calibrated probabilities are much better calibrated than the raw ones. (Isotonic
    // steps reach 0 and 1 at the ends, so an unlucky out-of-fold row can make its log-loss worse;
    // the Brier score shows the gain for both.)
    if (method == "platt") {
      EXPECT_LT(r.calibrated->log_loss, r.metrics.log_loss - 0.05);
    }
    EXPECT_LT(r.calibrated->brier, r.metrics.brier - 0.01) << method;
    const ModelPackage raw = LoadModel(f.ws.store(), t.name, t.version);
    const ModelPackage cal = LoadModel(f.ws.store(), t.name, r.calibrated_version);
    EXPECT_GT(r.calibrated_version, t.version);
    ASSERT_TRUE(cal.calibrator.has_value());
    EXPECT_EQ(cal.calibrator->method(), method);
    EXPECT_FALSE(raw.calibrator.has_value());
    // The calibrator was fitted on the held-out rows' raw probabilities: refit it independently.
    const Table table = f.ws.store().LoadTable("leads", Context(1));
    const Table held = table.Take(HeldOutRows(raw, table));
    const auto y = raw.Labels(held);
    const auto p = raw.Score(held, Context(1));
    const Table fresh = f.ws.store().LoadTable("leads_new", Context(1));
    const auto expected =
        ProbabilityCalibrator::Fit(method, p, y).Apply(raw.Score(fresh, Context(1)));
    EXPECT_EQ(cal.Score(fresh, Context(1)), expected) << method;
    EXPECT_EQ(cal.RawScore(fresh, Context(1)), raw.Score(fresh, Context(1)));
    if (method == "platt") {
      // Platt on the log-odds: P = 1 / (1 + exp(a·logit(p) + b)).
      PlattCalibrator platt;
      std::vector<double> z(p.size());
      for (size_t i = 0; i < p.size(); ++i) z[i] = std::log(p[i] / (1 - p[i]));
      platt.Fit(z, y);
      EXPECT_NEAR(cal.meta["calibration"]["a"].get<double>(), platt.a(), 1e-12);
      EXPECT_NEAR(cal.meta["calibration"]["b"].get<double>(), platt.b(), 1e-12);
    }
  }
}

TEST(Evaluate, MalformedCalibrationInTheRegistryIsAClearError) {
  EvalFixture f;
  const TrainResult t = f.Train("logistic");
  auto object = f.ws.store().GetObject("model", t.name);
  nlohmann::json meta = object->meta;
  meta["calibration"] = {{"method", "platt"}, {"input", "logit"}, {"a", "x"}};
  f.ws.store().PutObject("model", t.name, meta, object->body);
  try {
    (void)LoadModel(f.ws.store(), t.name);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(std::string(e.what()).find(
                  "model leads_logistic v2: its calibration is malformed: not a Platt calibrator"),
              std::string::npos)
        << e.what();
  }
}

TEST(Explain, TreeShapContributionsAddUpToTheMarginPerRow) {
  EvalFixture f;
  const TrainResult t = f.Train("gbdt", {{"n_estimators", 60}});
  const ModelPackage m = LoadModel(f.ws.store(), t.name);
  const Table table = f.ws.store().LoadTable("leads_new", Context(1));
  const auto x = m.pipeline.Transform(table, Context(1));
  const size_t n = table.num_rows(), d = m.pipeline.num_features();
  const auto contrib = m.classifier->Contributions(x, Context(1));
  const auto p = m.classifier->PredictProba(x, Context(1));
  ASSERT_EQ(contrib.size(), n * (d + 1));
  for (size_t r = 0; r < n; ++r) {
    double margin = 0;
    for (size_t j = 0; j <= d; ++j) margin += contrib[r * (d + 1) + j];
    // XGBoost sums in float32: the margin agrees with log(p / (1 − p)) to float precision.
    EXPECT_NEAR(margin, std::log(p[r] / (1 - p[r])), 1e-4) << r;
  }
}

TEST(Explain, LinearReasonsAreCoefficientTimesValueInWords) {
  EvalFixture f;
  const TrainResult t = f.Train("logistic");
  const ModelPackage m = LoadModel(f.ws.store(), t.name);
  const Table table =
      f.ws.store().LoadTable("leads_new", Context(1)).Take(std::vector<size_t>{0, 1, 2});
  const auto reasons = ExplainRows(m, table, 2, Context(1));
  ASSERT_EQ(reasons.size(), 3u);
  const auto x = m.pipeline.Transform(table, Context(1));
  const size_t d = m.pipeline.num_features();
  const auto contrib = m.classifier->Contributions(x, Context(1));
  for (size_t r = 0; r < 3; ++r) {
    ASSERT_EQ(reasons[r].size(), 2u);
    EXPECT_GE(std::abs(reasons[r][0].contribution), std::abs(reasons[r][1].contribution));
    for (const auto& reason : reasons[r]) {
      // Numeric columns map to one feature: the reason is that feature's contribution.
      if (reason.column == "x1" || reason.column == "x2" || reason.column == "x3") {
        const auto& names = m.pipeline.feature_names();
        const size_t j = static_cast<size_t>(std::find(names.begin(), names.end(), reason.column) -
                                             names.begin());
        EXPECT_DOUBLE_EQ(reason.contribution, contrib[r * (d + 1) + j]);
      }
      EXPECT_NE(reason.words.find(reason.contribution > 0 ? "raises the chance of y"
                                                          : "lowers the chance of y"),
                std::string::npos)
          << reason.words;
    }
  }
  // The words compare a numeric value with the training median and say how strong the effect is.
  const Column& x1 = table.column("x1");
  for (const auto& reason : reasons[0]) {
    if (reason.column != "x1") continue;
    const double median = m.pipeline.steps()[0].fill;
    // Values under 100 are written to 3 significant digits.
    EXPECT_NE(reason.words.find(fmt::format("x1 is {:.3g} ({} the typical", x1.doubles()[0],
                                            x1.doubles()[0] > median ? "above" : "below")),
              std::string::npos)
        << reason.words;
  }
}

TEST(Score, ScoresAreKeyedByTheModelsIdColumnElseByRowNumber) {
  EvalFixture f;
  const ModelPackage m = LoadModel(f.ws.store(), f.Train("logistic").name);
  const Table table = f.ws.store().LoadTable("leads_new", Context(1));
  const std::vector<double> p = m.Score(table, Context(1));
  const Table keyed = ScoreTable(m, table, Context(1));
  ASSERT_EQ(keyed.schema().field(0).name, "id");
  ASSERT_EQ(keyed.num_rows(), table.num_rows());
  for (size_t r = 0; r < table.num_rows(); ++r) {
    EXPECT_EQ(keyed.column(size_t{0})->ints()[r], table.column("id").ints()[r]);
    EXPECT_EQ(keyed.column(size_t{1})->doubles()[r], p[r]);
  }
  // Without the id column the rows are numbered from 1.
  std::vector<std::string> features;
  for (const auto& field : table.schema().fields()) {
    if (field.name != "id") features.push_back(field.name);
  }
  const Table numbered = ScoreTable(m, table.Select(features), Context(1));
  ASSERT_EQ(numbered.schema().field(0).name, "row");
  EXPECT_EQ(numbered.column(size_t{0})->ints()[0], 1);
  EXPECT_EQ(numbered.column(size_t{0})->ints()[table.num_rows() - 1],
            static_cast<int64_t>(table.num_rows()));
  EXPECT_EQ(numbered.column(size_t{1})->doubles()[7], p[7]);
}

TEST(Explain, OneCustomerIsFoundByIdAndExplainedLikeItsRow) {
  EvalFixture f;
  const ModelPackage m = LoadModel(f.ws.store(), f.Train("logistic").name);
  const Table table = f.ws.store().LoadTable("leads_new", Context(1));
  const CustomerExplanation e =
      ExplainCustomer(m, table, "1004", 2, Context(1));  // ids start at 1000
  const Table row = table.Take(std::vector<size_t>{4});
  EXPECT_EQ(e.score, m.Score(row, Context(1))[0]);
  const auto reasons = ExplainRows(m, row, 2, Context(1))[0];
  ASSERT_EQ(e.reasons.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(e.reasons[i].column, reasons[i].column);
    EXPECT_EQ(e.reasons[i].contribution, reasons[i].contribution);
  }
  const nlohmann::json doc = e.ToJson();
  EXPECT_EQ(doc["customer"], "1004");
  EXPECT_EQ(doc["model"], m.name);
  EXPECT_EQ(doc["reasons"][0]["words"], reasons[0].words);
  ExpectError([&] { (void)ExplainCustomer(m, table, "nobody", 2, Context(1)); },
              ErrorCode::kNotFound, "no customer nobody in column id");
  ModelPackage anonymous = LoadModel(f.ws.store(), m.name);
  anonymous.id_column.clear();
  ExpectError(
      [&] { (void)ExplainCustomer(anonymous, table, "1004", 2, Context(1)); },
      ErrorCode::kInvalidArgument,
      "model leads_logistic was trained without an id column, so customers cannot be looked up");
}

TEST(Explain, PermutationImportanceUsesTheHeldOutRowsAndFindsTheSignal) {
  EvalFixture f;
  const TrainResult t = f.Train("gbdt", {{"n_estimators", 60}});
  const ModelPackage m = LoadModel(f.ws.store(), t.name);
  const Table table = f.ws.store().LoadTable("leads", Context(1));
  const nlohmann::json imp = GlobalImportance(m, &table, Context(1));
  EXPECT_EQ(imp["permutation_rows"], "held-out");
  EXPECT_EQ(imp["importance_kind"], "gain");
  EXPECT_NEAR(imp["baseline_auc"].get<double>(), t.holdout.roc_auc, 1e-12);
  std::map<std::string, double> drop, gain;
  for (const auto& c : imp["columns"]) {
    drop[c["column"]] = c["permutation_auc_drop"].get<double>();
    gain[c["column"]] = c["importance"].get<double>();
  }
  EXPECT_GT(drop["x1"], 0.05);
  EXPECT_GT(drop["x1"], drop["x3"]);
  EXPECT_GT(gain["x1"], gain["x3"]);
  EXPECT_LT(std::abs(drop["x3"]), 0.02);  // noise
}

}  // namespace
}  // namespace prospect
