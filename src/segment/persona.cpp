// Persona cards. Contrasts are standardised mean differences against the whole population; the
// description maps the strongest contrasts to plain phrases (a small vocabulary of profile
// features, with a generic fallback); rules come from a CART tree on the numeric features.
#include "prospect/segment/persona.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "prospect/common/error.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/models/classify/cart.hpp"

namespace prospect {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNotable = 0.3;  // |standardised difference| worth mentioning

struct Phrase {
  const char* family;
  const char* noun_high;
  const char* noun_low;
  const char* verb_high;
  const char* verb_low;
};

bool StartsWith(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// The window of a "<name>_<w>d" profile column in days, or 0.
int64_t WindowDays(const std::string& f) {
  if (f.size() < 3 || f.back() != 'd') return 0;
  const size_t underscore = f.rfind('_');
  if (underscore == std::string::npos || underscore + 2 > f.size() - 1) return 0;
  int64_t days = 0;
  for (size_t i = underscore + 1; i + 1 < f.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(f[i]))) return 0;
    days = days * 10 + (f[i] - '0');
    if (days > 100000) return 0;
  }
  return days;
}

// The vocabulary: which profile features mean what. First match wins.
const Phrase* PhraseFor(const std::string& f) {
  // One phrase a line: family, noun high, noun low, verb high, verb low.
  // clang-format off
  static const Phrase kSpend{"spend", "High spenders", "Low spenders", "spend a lot", "spend little"};
  static const Phrase kBuy{"frequency", "Frequent buyers", "Occasional buyers", "buy often", "rarely buy"};
  static const Phrase kRecency{"recency", "Lapsed customers", "Recent buyers", "have not bought for a long time", "bought recently"};
  static const Phrase kTenure{"tenure", "Long-time customers", "Newcomers", "have been customers for long", "joined recently"};
  static const Phrase kTrend{"trend", "Warming-up customers", "Cooling-down customers", "are getting more active", "are slowing down"};
  static const Phrase kBrowse{"activity", "Active browsers", "Quiet customers", "browse a lot", "rarely visit"};
  static const Phrase kCart{"cart", "Cart fillers", "", "often add to cart", "seldom add to cart"};
  static const Phrase kReturns{"returns", "Frequent returners", "", "often return orders", "rarely return orders"};
  static const Phrase kBreadth{"breadth", "Broad shoppers", "Focused shoppers", "buy across many products", "stick to a few products"};
  // Gaps are entered with "high" meaning short gaps (buying often), like frequency; see below.
  static const Phrase kGap{"frequency", "Fast-cadence buyers", "Slow-cadence buyers", "buy at short intervals", "buy at long intervals"};
  // clang-format on
  // Order counts and amounts in windows shorter than 90 days mostly restate recency (a segment
  // defined by "last order 2-6 months ago" has none in the last week), so only long windows speak
  // for spend and frequency.
  const bool short_window = WindowDays(f) > 0 && WindowDays(f) < 90;
  if (f == "monetary" || f == "avg_order_value" || StartsWith(f, "order_amount_") ||
      StartsWith(f, "purchase_value_")) {
    return short_window ? nullptr : &kSpend;
  }
  if (f == "frequency" || StartsWith(f, "orders_") || StartsWith(f, "purchase_count_")) {
    return short_window ? nullptr : &kBuy;
  }
  if (f == "recency_days" || f == "days_since_purchase") return &kRecency;
  if (f == "tenure_days") return &kTenure;
  if (f == "trend_30d") return &kTrend;
  if (f == "events_total" || StartsWith(f, "view_count_") || StartsWith(f, "days_since_view")) {
    return StartsWith(f, "days_since_view") ? nullptr : &kBrowse;
  }
  if (StartsWith(f, "cart_count_")) return &kCart;
  if (f == "refunds" || f == "refund_amount") return &kReturns;
  if (f == "distinct_items" || f == "distinct_categories") return &kBreadth;
  if (f == "interpurchase_days_mean") return &kGap;
  return nullptr;
}

std::string Cadence(double days) {
  if (days < 10) return "buy about weekly";
  if (days < 45) return "buy about monthly";
  if (days < 120) return "buy about quarterly";
  return "buy about yearly";
}

std::string MostlyPhrase(const std::string& column, const std::string& level) {
  const std::string c = ToLower(column);
  if (c.find("channel") != std::string::npos || c.find("source") != std::string::npos)
    return "mostly via " + level;
  if (c.find("device") != std::string::npos || c.find("platform") != std::string::npos)
    return "mostly on " + level;
  if (c.find("region") != std::string::npos || c.find("country") != std::string::npos ||
      c.find("city") != std::string::npos) {
    return "mostly in " + level;
  }
  return "mostly " + column + " " + level;
}

// Segments whose descriptions came out the same ("Low spenders who rarely buy" twice) get the
// feature that separates them most, in the direction it goes for each, until every line differs.
void TellApartEqualDescriptions(std::vector<Persona>& personas) {
  auto difference = [](const Persona& p, const std::string& feature) {
    for (const auto& fc : p.contrasts) {
      if (fc.feature == feature) return fc.std_difference;
    }
    return 0.0;
  };
  std::vector<std::set<std::string>> used(personas.size());
  for (size_t round = 0; round < 4; ++round) {
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t s = 0; s < personas.size(); ++s) groups[personas[s].description].push_back(s);
    bool changed = false;
    for (const auto& [description, members] : groups) {
      if (members.size() < 2) continue;
      std::vector<std::string> additions(members.size());
      for (size_t m = 0; m < members.size(); ++m) {
        const Persona& p = personas[members[m]];
        // The feature whose standardised difference is farthest from every other member's.
        double best = 0;
        std::string best_feature;
        double direction = 0;
        for (const auto& fc : p.contrasts) {
          if (used[members[m]].count(fc.feature)) continue;
          double closest = INFINITY, others = 0;
          for (size_t o = 0; o < members.size(); ++o) {
            if (o == m) continue;
            const double d = difference(personas[members[o]], fc.feature);
            closest = std::min(closest, std::abs(fc.std_difference - d));
            others += d;
          }
          if (closest > best) {
            best = closest;
            best_feature = fc.feature;
            direction = fc.std_difference - others / static_cast<double>(members.size() - 1);
          }
        }
        if (!best_feature.empty()) {
          used[members[m]].insert(best_feature);
          additions[m] =
              fmt::format(", with {} {}", direction > 0 ? "higher" : "lower", best_feature);
        }
      }
      for (size_t m = 0; m < members.size(); ++m) personas[members[m]].description += additions[m];
      changed = true;
    }
    if (!changed) return;
  }
  // Still equal (identical contrasts): the segment's name tells them apart.
  std::map<std::string, int> count;
  for (const auto& p : personas) ++count[p.description];
  for (auto& p : personas) {
    if (count[p.description] > 1) p.description += " (" + p.name + ")";
  }
}

}  // namespace

PersonaReport BuildPersonas(const Table& profiles, const std::vector<int32_t>& labels,
                            const std::vector<std::string>& names, const PersonaOptions& options,
                            const Context& ctx) {
  const size_t n = profiles.num_rows();
  if (labels.size() != n)
    Fail(ErrorCode::kInternal, "personas: {} labels for {} rows", labels.size(), n);
  if (n == 0) Fail(ErrorCode::kInvalidData, "personas: no customers");
  const size_t k = names.size();
  std::vector<std::string> features = options.features;
  if (features.empty()) {
    for (const auto& f : profiles.schema().fields()) {
      if (f.name != options.id_column) features.push_back(f.name);
    }
  }
  std::vector<std::string> numeric, categorical;
  for (const auto& f : features) {
    const DataType t = profiles.column(f).type();
    if (IsNumeric(t) || t == DataType::kBool) numeric.push_back(f);
    if (IsStringLike(t)) categorical.push_back(f);
  }
  std::vector<int64_t> sizes(k, 0);
  size_t assigned = 0;
  for (int32_t l : labels) {
    if (l >= 0 && static_cast<size_t>(l) < k) {
      ++sizes[static_cast<size_t>(l)];
      ++assigned;
    }
  }

  PersonaReport report;
  report.personas.resize(k);
  for (size_t s = 0; s < k; ++s) {
    Persona& p = report.personas[s];
    p.segment = static_cast<int32_t>(s);
    p.name = names[s];
    p.size = sizes[s];
    p.share_customers = static_cast<double>(sizes[s]) / static_cast<double>(n);
    p.share_value = kNaN;
  }

  // Value shares.
  if (profiles.HasColumn(options.value_column)) {
    const Column& v = profiles.column(options.value_column);
    std::vector<double> value(k, 0.0);
    double total = 0;
    for (size_t r = 0; r < n; ++r) {
      const double x = v.NumericAt(r);
      if (std::isnan(x)) continue;
      total += x;
      if (labels[r] >= 0 && static_cast<size_t>(labels[r]) < k)
        value[static_cast<size_t>(labels[r])] += x;
    }
    for (size_t s = 0; s < k; ++s)
      report.personas[s].share_value = total != 0 ? value[s] / total : kNaN;
  }

  // Numeric contrasts; the matrix for the rules uses median-imputed raw values.
  std::vector<double> x(n * numeric.size());
  for (size_t j = 0; j < numeric.size(); ++j) {
    const Column& c = profiles.column(numeric[j]);
    std::vector<double> present;
    double sum = 0, ss = 0;
    std::vector<double> seg_sum(k, 0.0);
    std::vector<int64_t> seg_n(k, 0);
    for (size_t r = 0; r < n; ++r) {
      const double v = c.NumericAt(r);
      if (std::isnan(v)) continue;
      present.push_back(v);
      sum += v;
      if (labels[r] >= 0 && static_cast<size_t>(labels[r]) < k) {
        seg_sum[static_cast<size_t>(labels[r])] += v;
        ++seg_n[static_cast<size_t>(labels[r])];
      }
    }
    const double mean = present.empty() ? 0 : sum / static_cast<double>(present.size());
    for (double v : present) ss += (v - mean) * (v - mean);
    const double sd =
        present.size() > 1 ? std::sqrt(ss / static_cast<double>(present.size() - 1)) : 0;
    const double median = present.empty() ? 0 : UpperMedian(present);
    for (size_t r = 0; r < n; ++r) {
      const double v = c.NumericAt(r);
      x[r * numeric.size() + j] = std::isnan(v) ? median : v;
    }
    for (size_t s = 0; s < k; ++s) {
      if (seg_n[s] == 0) continue;
      FeatureContrast fc;
      fc.feature = numeric[j];
      fc.segment_mean = seg_sum[s] / static_cast<double>(seg_n[s]);
      fc.overall_mean = mean;
      fc.std_difference = sd > 0 ? (fc.segment_mean - mean) / sd : 0;
      report.personas[s].contrasts.push_back(fc);
    }
  }
  for (auto& p : report.personas) {
    std::stable_sort(p.contrasts.begin(), p.contrasts.end(),
                     [](const FeatureContrast& a, const FeatureContrast& b) {
                       return std::abs(a.std_difference) > std::abs(b.std_difference);
                     });
  }

  // "Mostly X": the level of a categorical attribute that dominates a segment.
  std::vector<std::string> mostly(k);
  std::vector<double> mostly_strength(k, 0);
  for (const auto& name : categorical) {
    const Column& c = profiles.column(name);
    std::unordered_map<std::string, std::vector<int64_t>> counts;
    std::unordered_map<std::string, int64_t> overall;
    for (size_t r = 0; r < n; ++r) {
      if (c.IsNull(r)) continue;
      const std::string level(c.StringAt(r));
      ++overall[level];
      auto& v = counts[level];
      if (v.empty()) v.assign(k, 0);
      if (labels[r] >= 0 && static_cast<size_t>(labels[r]) < k) ++v[static_cast<size_t>(labels[r])];
    }
    if (overall.size() > 30 || overall.size() < 2) continue;
    for (const auto& [level, per] : counts) {
      const double base = static_cast<double>(overall[level]) / static_cast<double>(n);
      for (size_t s = 0; s < k; ++s) {
        if (sizes[s] == 0) continue;
        const double share = static_cast<double>(per[s]) / static_cast<double>(sizes[s]);
        const double lift = base > 0 ? share / base : 0;
        if (share > 0.5 && lift >= 1.3 && share * lift > mostly_strength[s]) {
          mostly_strength[s] = share * lift;
          mostly[s] = MostlyPhrase(name, level);
        }
      }
    }
  }

  // Descriptions: the strongest notable contrast of each family; the noun comes from the most
  // telling family present, the verbs from the rest in order of strength.
  // (family, high?) in the order a marketer names a group by: lapsed and new first, then value.
  static const std::vector<std::pair<std::string, bool>> kNounPriority = {
      {"recency", true}, {"tenure", false},    {"spend", true},     {"frequency", true},
      {"spend", false},  {"recency", false},   {"tenure", true},    {"activity", true},
      {"trend", true},   {"trend", false},     {"returns", true},   {"breadth", true},
      {"cart", true},    {"frequency", false}, {"activity", false}, {"breadth", false}};
  for (size_t s = 0; s < k; ++s) {
    Persona& p = report.personas[s];
    double cadence_days = kNaN;
    for (const auto& fc : p.contrasts) {
      if (fc.feature == "interpurchase_days_mean") cadence_days = fc.segment_mean;
    }
    struct Notable {
      const Phrase* phrase;
      bool high;
    };
    std::vector<Notable> notable;
    for (const auto& fc : p.contrasts) {
      if (std::abs(fc.std_difference) < kNotable) break;
      const bool high = fc.std_difference > 0;
      if (static_cast<int64_t>(p.distinguishing.size()) < options.distinguishing) {
        p.distinguishing.push_back(fmt::format("{} {} ({:.3g} vs {:.3g} overall)", fc.feature,
                                               high ? "higher" : "lower", fc.segment_mean,
                                               fc.overall_mean));
      }
      const Phrase* ph = PhraseFor(fc.feature);
      if (!ph) continue;
      bool seen = false;
      for (const auto& nb : notable) seen = seen || std::string(nb.phrase->family) == ph->family;
      // interpurchase gaps point the other way from frequency: a short gap means buying often.
      if (!seen) notable.push_back({ph, fc.feature == "interpurchase_days_mean" ? !high : high});
    }
    std::string noun;
    size_t noun_index = notable.size();
    for (const auto& [family, high] : kNounPriority) {
      for (size_t i = 0; i < notable.size() && noun.empty(); ++i) {
        const char* text =
            notable[i].high ? notable[i].phrase->noun_high : notable[i].phrase->noun_low;
        if (notable[i].phrase->family == family && notable[i].high == high && *text) {
          noun = text;
          noun_index = i;
        }
      }
    }
    std::vector<std::string> verbs;
    for (size_t i = 0; i < notable.size() && verbs.size() < 2; ++i) {
      if (i == noun_index) continue;
      const bool high = notable[i].high;
      std::string verb = high ? notable[i].phrase->verb_high : notable[i].phrase->verb_low;
      if (std::string(notable[i].phrase->family) == "frequency" && !std::isnan(cadence_days)) {
        verb = high ? Cadence(cadence_days) : "rarely buy";
      }
      verbs.push_back(verb);
    }
    if (p.distinguishing.empty()) {
      p.description = "Typical customers, close to the average on every feature";
    } else {
      p.description = noun.empty() ? "Customers" : noun;
      if (!verbs.empty()) {
        p.description += " who " + Join(verbs, " and ");
      } else if (noun.empty()) {
        const auto& fc = p.contrasts[0];
        p.description +=
            fmt::format(" with {} {}", fc.std_difference > 0 ? "high" : "low", fc.feature);
      }
    }
    if (!mostly[s].empty()) p.description += ", " + mostly[s];
  }
  TellApartEqualDescriptions(report.personas);

  // Rules: a shallow tree predicting the segment from the numeric features.
  if (!numeric.empty() && assigned > 0) {
    std::vector<double> rx;
    std::vector<int32_t> ry;
    std::vector<size_t> rows;
    for (size_t r = 0; r < n; ++r) {
      if (labels[r] < 0 || static_cast<size_t>(labels[r]) >= k) continue;
      rows.push_back(r);
      ry.push_back(labels[r]);
      rx.insert(rx.end(), x.begin() + static_cast<std::ptrdiff_t>(r * numeric.size()),
                x.begin() + static_cast<std::ptrdiff_t>((r + 1) * numeric.size()));
    }
    CartParams params;
    params.max_depth = options.rule_depth;
    params.min_samples_leaf = std::max<int64_t>(1, static_cast<int64_t>(rows.size() / 200));
    CartTree tree(params);
    tree.Fit(rx, rows.size(), numeric.size(), ry, k, {}, ctx);
    const std::vector<int32_t> predicted = tree.Predict(rx, rows.size());
    std::vector<int64_t> hits(k, 0), claimed(k, 0);
    int64_t correct = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      ++claimed[static_cast<size_t>(predicted[i])];
      if (predicted[i] == ry[i]) {
        ++correct;
        ++hits[static_cast<size_t>(ry[i])];
      }
    }
    report.rules_accuracy = static_cast<double>(correct) / static_cast<double>(rows.size());
    report.rules_depth = tree.depth();
    for (const CartRule& rule : tree.Rules(numeric)) {
      report.personas[static_cast<size_t>(rule.predicted_class)].rules.push_back(rule.Text(names));
    }
    for (size_t s = 0; s < k; ++s) {
      Persona& p = report.personas[s];
      p.rule_precision =
          claimed[s] ? static_cast<double>(hits[s]) / static_cast<double>(claimed[s]) : 0;
      p.rule_recall = sizes[s] ? static_cast<double>(hits[s]) / static_cast<double>(sizes[s]) : 0;
    }
  }
  return report;
}

nlohmann::json PersonaReport::ToJson() const {
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  nlohmann::json out = {{"rules_accuracy", rules_accuracy},
                        {"rules_depth", rules_depth},
                        {"personas", nlohmann::json::array()}};
  for (const Persona& p : personas) {
    nlohmann::json contrasts = nlohmann::json::array();
    for (const auto& c : p.contrasts) {
      contrasts.push_back({{"feature", c.feature},
                           {"segment_mean", num(c.segment_mean)},
                           {"overall_mean", num(c.overall_mean)},
                           {"std_difference", num(c.std_difference)}});
    }
    out["personas"].push_back({{"segment", p.segment},
                               {"name", p.name},
                               {"size", p.size},
                               {"share_customers", p.share_customers},
                               {"share_value", num(p.share_value)},
                               {"description", p.description},
                               {"distinguishing", p.distinguishing},
                               {"rules", p.rules},
                               {"rule_precision", p.rule_precision},
                               {"rule_recall", p.rule_recall},
                               {"contrasts", contrasts}});
  }
  return out;
}

}  // namespace prospect
