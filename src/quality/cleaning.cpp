// Cleaning recipes: parse [[cleaning.TABLE]] steps, fit their values on a table, apply a fitted
// recipe to any table with the same columns, and keep recipes in the store.
#include "prospect/quality/cleaning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/quality/quality.hpp"
#include "quality/quality_internal.hpp"

namespace prospect {
namespace {

using nlohmann::json;

constexpr const char* kRecipeFormat = "prospect.cleaning_recipe";
constexpr int kRecipeVersion = 1;

const std::vector<std::string> kSteps = {"impute", "deduplicate", "clip", "map"};

const std::map<std::string, std::vector<std::string>>& StepOptions() {
  static const std::map<std::string, std::vector<std::string>> options = {
      {"impute", {"step", "column", "method", "value", "indicator"}},
      {"deduplicate", {"step", "columns"}},
      {"clip", {"step", "column", "method", "factor", "quantiles", "lower", "upper"}},
      {"map", {"step", "column", "values", "canonical", "to_null"}},
  };
  return options;
}

std::string Where(const std::string& table, size_t index, const std::string& step) {
  return fmt::format("[[cleaning.{}]] step {} ({})", table, index + 1,
                     step.empty() ? "?" : "step=\"" + step + "\"");
}

bool IsMissing(const Column& col, size_t r) {
  return col.IsNull(r) || (col.type() == DataType::kDouble && std::isnan(col.doubles()[r]));
}

// Non-missing finite values of a numeric column, ascending.
std::vector<double> SortedFinite(const Column& col) {
  std::vector<double> v;
  v.reserve(col.size());
  for (size_t r = 0; r < col.size(); ++r) {
    if (IsMissing(col, r)) continue;
    const double x = col.NumericAt(r);
    if (std::isfinite(x)) v.push_back(x);
  }
  std::sort(v.begin(), v.end());
  return v;
}

bool IsWhole(double x) { return std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.2e18; }

// The JSON number of a fitted value: an integer when it is whole (so int64 columns stay int64).
json NumberJson(double x) { return IsWhole(x) ? json(static_cast<int64_t>(x)) : json(x); }

std::string FillText(const json& fill) {
  return fill.is_string() ? fill.get<std::string>() : fill.dump();
}

// Most frequent non-missing value; ties go to the smallest value (pandas' mode()[0]).
json FitMode(const Column& col) {
  switch (col.type()) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp:
    case DataType::kDouble:
    case DataType::kBool: {
      std::map<double, int64_t> counts;
      std::map<int64_t, int64_t> int_counts;
      for (size_t r = 0; r < col.size(); ++r) {
        if (IsMissing(col, r)) continue;
        if (col.type() == DataType::kDouble) {
          ++counts[col.doubles()[r]];
        } else if (col.type() == DataType::kBool) {
          ++int_counts[col.bools()[r]];
        } else {
          ++int_counts[col.ints()[r]];
        }
      }
      if (col.type() == DataType::kDouble) {
        if (counts.empty()) return json();
        auto best = counts.begin();
        for (auto it = counts.begin(); it != counts.end(); ++it) {
          if (it->second > best->second) best = it;
        }
        return json(best->first);
      }
      if (int_counts.empty()) return json();
      auto best = int_counts.begin();
      for (auto it = int_counts.begin(); it != int_counts.end(); ++it) {
        if (it->second > best->second) best = it;
      }
      return col.type() == DataType::kBool ? json(best->first != 0) : json(best->first);
    }
    case DataType::kString:
    case DataType::kCategorical: {
      std::map<std::string, int64_t> counts;
      for (size_t r = 0; r < col.size(); ++r) {
        if (!col.IsNull(r)) ++counts[std::string(col.StringAt(r))];
      }
      if (counts.empty()) return json();
      auto best = counts.begin();
      for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (it->second > best->second) best = it;
      }
      return json(best->first);
    }
  }
  return json();
}

// A user-given constant converted to the column's storage (checked at fit time).
json ConvertConstant(const json& value, DataType type, const std::string& where) {
  auto bad = [&](const char* expected) {
    Fail(ErrorCode::kInvalidArgument, "{}: value = {} does not fit a {} column; expected {}", where,
         value.dump(), DataTypeName(type), expected);
  };
  switch (type) {
    case DataType::kInt64:
    case DataType::kDouble:
      if (!value.is_number()) bad("a number");
      return NumberJson(value.get<double>());
    case DataType::kBool:
      if (!value.is_boolean()) bad("true or false");
      return value;
    case DataType::kString:
    case DataType::kCategorical:
      if (!value.is_string()) bad("text in quotes");
      return value;
    case DataType::kDate: {
      int64_t days = 0;
      if (!value.is_string() || !ParseIsoDate(value.get<std::string>(), &days))
        bad("a date like \"2024-03-01\"");
      return json(days);
    }
    case DataType::kTimestamp: {
      int64_t micros = 0;
      if (!value.is_string() || !ParseIsoTimestamp(value.get<std::string>(), &micros)) {
        bad("a timestamp like \"2024-03-01 12:00:00\"");
      }
      return json(micros);
    }
  }
  return value;
}

double ParseNumberKey(const std::string& text, const std::string& where) {
  double v = 0;
  if (!ParseDouble(Trim(text), &v)) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: values key {} is not a number, but the column is numeric", where,
         QuoteForMessage(text));
  }
  return v;
}

// --- apply one step --------------------------------------------------------------------------

Table ApplyImpute(const CleaningStep& s, const Table& table, CleaningStepSummary& sum) {
  const Column& col = table.column(s.column);
  const size_t n = col.size();
  int64_t filled = 0;
  ColumnVector<uint8_t> was_missing(n, 0);
  for (size_t r = 0; r < n; ++r) {
    if (IsMissing(col, r)) {
      was_missing[r] = 1;
      ++filled;
    }
  }
  ColumnPtr out;
  const DataType type = col.type();
  const bool fill_fits = IsStringLike(type)        ? s.fill.is_string()
                         : type == DataType::kBool ? s.fill.is_boolean()
                         : type == DataType::kInt64 || type == DataType::kDouble
                             ? s.fill.is_number()
                             : s.fill.is_number_integer();
  if (!fill_fits) {
    Fail(ErrorCode::kInvalidData,
         "imputing {}: the recipe's fill {} does not fit a {} column (was the recipe fitted "
         "on a table where {} had another type?)",
         s.column, s.fill.dump(), DataTypeName(type), s.column);
  }
  if (type == DataType::kInt64 && !s.fill.is_number_integer()) {
    // A non-whole fill turns the column into double (decided by the recipe alone).
    ColumnVector<double> v(n);
    const double fill = s.fill.get<double>();
    for (size_t r = 0; r < n; ++r)
      v[r] = was_missing[r] ? fill : static_cast<double>(col.ints()[r]);
    out = Column::FromDoubles(std::move(v));
  } else if (filled == 0) {
    out = table.column(table.ColumnIndex(s.column));
  } else {
    ColumnBuilder b(type);
    b.Reserve(n);
    for (size_t r = 0; r < n; ++r) {
      const bool use_fill = was_missing[r] != 0;
      switch (type) {
        case DataType::kInt64:
        case DataType::kDate:
        case DataType::kTimestamp:
          b.AppendInt(use_fill ? s.fill.get<int64_t>() : col.ints()[r]);
          break;
        case DataType::kDouble:
          b.AppendDouble(use_fill ? s.fill.get<double>() : col.doubles()[r]);
          break;
        case DataType::kBool:
          b.AppendBool(use_fill ? s.fill.get<bool>() : col.bools()[r] != 0);
          break;
        case DataType::kString:
        case DataType::kCategorical:
          if (use_fill) {
            b.AppendString(s.fill.get<std::string>());
          } else {
            b.AppendString(col.StringAt(r));
          }
          break;
      }
    }
    out = b.Finish();
  }
  Table result = table.WithColumn(s.column, out);
  if (s.indicator)
    result = result.WithColumn(s.column + "_missing", Column::FromBools(std::move(was_missing)));
  sum.cells_changed = filled;
  sum.description = fmt::format("imputed {} cells of {} with {} {}{}", filled, s.column, s.method,
                                FillText(s.fill),
                                s.indicator ? fmt::format(" (flag in {}_missing)", s.column) : "");
  return result;
}

Table ApplyDeduplicate(const CleaningStep& s, const Table& table, CleaningStepSummary& sum) {
  std::vector<size_t> cols;
  if (s.columns.empty()) {
    for (size_t i = 0; i < table.num_columns(); ++i) cols.push_back(i);
  } else {
    for (const auto& c : s.columns) cols.push_back(table.ColumnIndex(c));
  }
  const std::vector<uint8_t> dup = DuplicateMask(table, cols);
  std::vector<size_t> keep;
  keep.reserve(dup.size());
  for (size_t r = 0; r < dup.size(); ++r) {
    if (!dup[r]) keep.push_back(r);
  }
  sum.rows_removed = static_cast<int64_t>(dup.size() - keep.size());
  sum.description = fmt::format(
      "removed {} duplicate rows ({})", sum.rows_removed,
      s.columns.empty() ? std::string("equal in every column") : "same " + Join(s.columns, ", "));
  if (keep.size() == dup.size()) return table;
  return table.Take(keep);
}

Table ApplyClip(const CleaningStep& s, const Table& table, CleaningStepSummary& sum,
                const std::string& where) {
  const Column& col = table.column(s.column);
  if (!IsNumeric(col.type())) {
    Fail(ErrorCode::kInvalidData,
         "{}: cannot clip column {} of type {}; clip works on int64 and double columns", where,
         s.column, DataTypeName(col.type()));
  }
  const double lo = s.lower.value_or(-INFINITY), hi = s.upper.value_or(INFINITY);
  const size_t n = col.size();
  int64_t changed = 0;
  const bool whole_bounds = (!s.lower || IsWhole(*s.lower)) && (!s.upper || IsWhole(*s.upper));
  ColumnPtr out;
  ColumnVector<uint8_t> valid(col.validity().begin(), col.validity().end());
  if (col.type() == DataType::kInt64 && whole_bounds) {
    ColumnVector<int64_t> v(col.ints().begin(), col.ints().end());
    for (size_t r = 0; r < n; ++r) {
      if (col.IsNull(r)) continue;
      const double x = static_cast<double>(v[r]);
      if (x < lo) {
        v[r] = static_cast<int64_t>(lo);
        ++changed;
      } else if (x > hi) {
        v[r] = static_cast<int64_t>(hi);
        ++changed;
      }
    }
    out = Column::FromInts(DataType::kInt64, std::move(v), std::move(valid));
  } else {
    ColumnVector<double> v(n);
    for (size_t r = 0; r < n; ++r) {
      double x = col.NumericAt(r);
      if (!IsMissing(col, r)) {
        if (x < lo) {
          x = lo;
          ++changed;
        } else if (x > hi) {
          x = hi;
          ++changed;
        }
      }
      v[r] = col.IsNull(r) ? 0.0 : x;
    }
    out = Column::FromDoubles(std::move(v), std::move(valid));
  }
  sum.cells_changed = changed;
  sum.description = fmt::format("clipped {} cells of {} to [{}, {}] ({})", changed, s.column,
                                s.lower ? FormatNumber(*s.lower) : "-inf",
                                s.upper ? FormatNumber(*s.upper) : "inf", s.method);
  return table.WithColumn(s.column, out);
}

Table ApplyMap(const CleaningStep& s, const Table& table, CleaningStepSummary& sum,
               const std::string& where) {
  const Column& col = table.column(s.column);
  const size_t n = col.size();
  int64_t mapped = 0, nulled = 0;
  ColumnPtr out;
  if (IsStringLike(col.type())) {
    std::set<std::string, std::less<>> to_null;
    for (const auto& v : s.to_null) to_null.insert(v.is_string() ? v.get<std::string>() : v.dump());
    std::unordered_map<std::string, std::string> values, canonical;
    for (const auto& [k, v] : s.values.items()) values[k] = v.get<std::string>();
    for (const auto& [k, v] : s.canonical.items()) canonical[k] = v.get<std::string>();
    ColumnBuilder b(col.type());
    b.Reserve(n);
    for (size_t r = 0; r < n; ++r) {
      if (col.IsNull(r)) {
        b.AppendNull();
        continue;
      }
      const std::string_view text = col.StringAt(r);
      if (to_null.count(text)) {
        b.AppendNull();
        ++nulled;
        continue;
      }
      const std::string key(text);
      if (auto it = values.find(key); it != values.end()) {
        b.AppendString(it->second);
        mapped += it->second != text;
        continue;
      }
      if (!canonical.empty()) {
        if (auto it = canonical.find(NormalizeSpelling(text));
            it != canonical.end() && it->second != text) {
          b.AppendString(it->second);
          ++mapped;
          continue;
        }
      }
      b.AppendString(text);
    }
    out = b.Finish();
  } else if (IsNumeric(col.type())) {
    std::vector<double> to_null;
    for (const auto& v : s.to_null) to_null.push_back(v.get<double>());
    std::vector<std::pair<double, double>> values;
    for (const auto& [k, v] : s.values.items())
      values.emplace_back(ParseNumberKey(k, where), v.get<double>());
    bool stays_int = col.type() == DataType::kInt64;
    for (const auto& [k, v] : values) stays_int = stays_int && IsWhole(v);
    ColumnBuilder b(stays_int ? DataType::kInt64 : DataType::kDouble);
    b.Reserve(n);
    for (size_t r = 0; r < n; ++r) {
      if (IsMissing(col, r)) {
        b.AppendNull();
        continue;
      }
      double x = col.NumericAt(r);
      if (std::find(to_null.begin(), to_null.end(), x) != to_null.end()) {
        b.AppendNull();
        ++nulled;
        continue;
      }
      for (const auto& [k, v] : values) {
        if (x == k) {
          x = v;
          ++mapped;
          break;
        }
      }
      if (stays_int) {
        b.AppendInt(col.type() == DataType::kInt64 && x == col.NumericAt(r)
                        ? col.ints()[r]
                        : static_cast<int64_t>(x));
      } else {
        b.AppendDouble(x);
      }
    }
    out = b.Finish();
  } else {
    Fail(ErrorCode::kInvalidData,
         "{}: cannot map column {} of type {}; map works on text, categorical and numeric columns",
         where, s.column, DataTypeName(col.type()));
  }
  sum.cells_changed = mapped + nulled;
  if (nulled == 0) {
    sum.description = fmt::format("mapped {} cells of {}", mapped, s.column);
  } else if (mapped == 0) {
    sum.description = fmt::format("set {} cells of {} to missing", nulled, s.column);
  } else {
    sum.description =
        fmt::format("mapped {} cells of {} and set {} to missing", mapped, s.column, nulled);
  }
  return table.WithColumn(s.column, out);
}

Table ApplyStep(const CleaningStep& s, const Table& table, CleaningStepSummary& sum,
                const std::string& where) {
  sum.step = s.step;
  sum.column = s.step == "deduplicate" ? Join(s.columns, ",") : s.column;
  if (!s.column.empty() && !table.HasColumn(s.column)) {
    Fail(ErrorCode::kNotFound, "{}: no column {} in the table. Columns: {}. {}", where,
         QuoteForMessage(s.column), Join(table.schema().Names(), ", "),
         DidYouMean(s.column, table.schema().Names()));
  }
  if (s.step == "impute") return ApplyImpute(s, table, sum);
  if (s.step == "deduplicate") return ApplyDeduplicate(s, table, sum);
  if (s.step == "clip") return ApplyClip(s, table, sum, where);
  if (s.step == "map") return ApplyMap(s, table, sum, where);
  Fail(ErrorCode::kInvalidData, "{}: unknown step {}. Valid steps: {}", where,
       QuoteForMessage(s.step), Join(kSteps, ", "));
}

// --- fit one step ----------------------------------------------------------------------------

const json& Require(const json& cfg, const char* key, const std::string& where, const char* what) {
  if (!cfg.contains(key))
    Fail(ErrorCode::kInvalidArgument, "{}: missing {} ({})", where, key, what);
  return cfg.at(key);
}

std::string GetString(const json& cfg, const char* key, const std::string& def,
                      const std::string& where) {
  if (!cfg.contains(key)) return def;
  if (!cfg[key].is_string())
    Fail(ErrorCode::kInvalidArgument, "{}: {} must be text in quotes, got {}", where, key,
         cfg[key].dump());
  return cfg[key].get<std::string>();
}

double GetNumber(const json& v, const char* key, const std::string& where) {
  if (!v.is_number())
    Fail(ErrorCode::kInvalidArgument, "{}: {} must be a number, got {}", where, key, v.dump());
  return v.get<double>();
}

void CheckChoice(const std::string& value, const std::vector<std::string>& choices, const char* key,
                 const std::string& where) {
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    Fail(ErrorCode::kInvalidArgument, "{}: unknown {} {}. {}Valid: {}", where, key,
         QuoteForMessage(value), DidYouMean(value, choices), Join(choices, ", "));
  }
}

CleaningStep FitStep(const json& cfg, const Table& table, const std::string& where) {
  CleaningStep s;
  s.step = GetString(cfg, "step", "", where);
  const auto& allowed = StepOptions().at(s.step);
  for (const auto& [key, _] : cfg.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Fail(ErrorCode::kInvalidArgument, "{}: unknown option {}. {}Options of this step: {}", where,
           QuoteForMessage(key), DidYouMean(key, allowed), Join(allowed, ", "));
    }
  }
  if (s.step != "deduplicate") {
    const json& column =
        Require(cfg, "column", where, "the column to clean, e.g. column = \"age\"");
    if (!column.is_string())
      Fail(ErrorCode::kInvalidArgument, "{}: column must be text in quotes", where);
    s.column = column.get<std::string>();
    if (!table.HasColumn(s.column)) {
      Fail(ErrorCode::kNotFound, "{}: no column {} in the table. {}Columns: {}", where,
           QuoteForMessage(s.column), DidYouMean(s.column, table.schema().Names()),
           Join(table.schema().Names(), ", "));
    }
  }
  if (s.step == "impute") {
    const Column& col = table.column(s.column);
    s.method = GetString(cfg, "method", "median", where);
    CheckChoice(s.method, {"mean", "median", "mode", "constant"}, "method", where);
    if (cfg.contains("indicator")) {
      if (!cfg["indicator"].is_boolean())
        Fail(ErrorCode::kInvalidArgument, "{}: indicator must be true or false", where);
      s.indicator = cfg["indicator"].get<bool>();
    }
    if (cfg.contains("value") && s.method != "constant") {
      Fail(ErrorCode::kInvalidArgument, "{}: value is only used with method = \"constant\"", where);
    }
    if (s.method == "mean" || s.method == "median") {
      if (!IsNumeric(col.type())) {
        Fail(ErrorCode::kInvalidData,
             "{}: method {} needs a numeric column, but {} is {}; use method = \"mode\" or "
             "\"constant\"",
             where, s.method, s.column, DataTypeName(col.type()));
      }
      const std::vector<double> v = SortedFinite(col);
      if (v.empty())
        Fail(ErrorCode::kInvalidData, "{}: column {} has no values to compute a {} from", where,
             s.column, s.method);
      if (s.method == "median") {
        s.fill = NumberJson(QuantileSorted(v, 0.5));
      } else {
        long double sum = 0;
        for (double x : v) sum += x;
        s.fill = NumberJson(static_cast<double>(sum / static_cast<long double>(v.size())));
      }
      if (col.type() == DataType::kDouble) s.fill = json(s.fill.get<double>());
    } else if (s.method == "mode") {
      s.fill = FitMode(col);
      if (s.fill.is_null())
        Fail(ErrorCode::kInvalidData, "{}: column {} has no values to take the mode of", where,
             s.column);
    } else {
      s.fill = ConvertConstant(Require(cfg, "value", where, "the fill value, e.g. value = 0"),
                               col.type(), where);
    }
  } else if (s.step == "deduplicate") {
    if (cfg.contains("columns")) {
      const json& cols = cfg["columns"];
      if (!cols.is_array())
        Fail(ErrorCode::kInvalidArgument,
             "{}: columns must be a list, e.g. columns = [\"customer_id\"]", where);
      for (const auto& c : cols) {
        if (!c.is_string())
          Fail(ErrorCode::kInvalidArgument, "{}: columns must be a list of names in quotes", where);
        const std::string name = c.get<std::string>();
        if (!table.HasColumn(name)) {
          Fail(ErrorCode::kNotFound, "{}: no column {} in the table. {}Columns: {}", where,
               QuoteForMessage(name), DidYouMean(name, table.schema().Names()),
               Join(table.schema().Names(), ", "));
        }
        s.columns.push_back(name);
      }
    }
  } else if (s.step == "clip") {
    const Column& col = table.column(s.column);
    if (!IsNumeric(col.type())) {
      Fail(ErrorCode::kInvalidData,
           "{}: cannot clip column {} of type {}; clip works on int64 and double columns", where,
           s.column, DataTypeName(col.type()));
    }
    s.method = GetString(cfg, "method",
                         cfg.contains("lower") || cfg.contains("upper") ? "limits" : "iqr", where);
    CheckChoice(s.method, {"iqr", "quantiles", "limits"}, "method", where);
    const std::vector<double> v = SortedFinite(col);
    if (s.method == "iqr") {
      if (cfg.contains("factor")) s.factor = GetNumber(cfg["factor"], "factor", where);
      if (!(s.factor >= 0)) Fail(ErrorCode::kInvalidArgument, "{}: factor must be >= 0", where);
      if (v.empty())
        Fail(ErrorCode::kInvalidData, "{}: column {} has no values to compute IQR fences from",
             where, s.column);
      const double q1 = QuantileSorted(v, 0.25), q3 = QuantileSorted(v, 0.75);
      s.lower = q1 - s.factor * (q3 - q1);
      s.upper = q3 + s.factor * (q3 - q1);
    } else if (s.method == "quantiles") {
      s.quantiles = {0.01, 0.99};
      if (cfg.contains("quantiles")) {
        const json& q = cfg["quantiles"];
        if (!q.is_array() || q.size() != 2) {
          Fail(ErrorCode::kInvalidArgument,
               "{}: quantiles must be two levels, e.g. quantiles = [0.01, 0.99]", where);
        }
        s.quantiles = {GetNumber(q[0], "quantiles", where), GetNumber(q[1], "quantiles", where)};
      }
      if (!(s.quantiles[0] >= 0 && s.quantiles[0] <= s.quantiles[1] && s.quantiles[1] <= 1)) {
        Fail(ErrorCode::kInvalidArgument,
             "{}: quantiles must satisfy 0 <= low <= high <= 1, got [{}, {}]", where,
             s.quantiles[0], s.quantiles[1]);
      }
      if (v.empty())
        Fail(ErrorCode::kInvalidData, "{}: column {} has no values to compute quantiles from",
             where, s.column);
      s.lower = QuantileSorted(v, s.quantiles[0]);
      s.upper = QuantileSorted(v, s.quantiles[1]);
    } else {
      if (cfg.contains("lower")) s.lower = GetNumber(cfg["lower"], "lower", where);
      if (cfg.contains("upper")) s.upper = GetNumber(cfg["upper"], "upper", where);
      if (!s.lower && !s.upper)
        Fail(ErrorCode::kInvalidArgument, "{}: method = \"limits\" needs lower, upper or both",
             where);
      if (s.lower && s.upper && *s.lower > *s.upper) {
        Fail(ErrorCode::kInvalidArgument, "{}: lower ({}) is above upper ({})", where, *s.lower,
             *s.upper);
      }
    }
  } else if (s.step == "map") {
    const Column& col = table.column(s.column);
    const bool text = IsStringLike(col.type());
    if (!text && !IsNumeric(col.type())) {
      Fail(
          ErrorCode::kInvalidData,
          "{}: cannot map column {} of type {}; map works on text, categorical and numeric columns",
          where, s.column, DataTypeName(col.type()));
    }
    if (cfg.contains("values")) {
      if (!cfg["values"].is_object()) {
        Fail(ErrorCode::kInvalidArgument,
             "{}: values must be a table, e.g. values = {{ \"M\" = \"Male\" }}", where);
      }
      for (const auto& [k, v] : cfg["values"].items()) {
        if (text && !v.is_string())
          Fail(ErrorCode::kInvalidArgument, "{}: values.{} must be text in quotes", where, k);
        if (!text) {
          ParseNumberKey(k, where);
          if (!v.is_number())
            Fail(ErrorCode::kInvalidArgument,
                 "{}: values.{} must be a number (the column is numeric)", where, k);
        }
      }
      s.values = cfg["values"];
    }
    if (cfg.contains("to_null")) {
      const json& tn = cfg["to_null"];
      if (!tn.is_array())
        Fail(ErrorCode::kInvalidArgument, "{}: to_null must be a list, e.g. to_null = [999]",
             where);
      for (const auto& v : tn) {
        if (text && !v.is_string() && !v.is_number())
          Fail(ErrorCode::kInvalidArgument, "{}: to_null entries must be text", where);
        if (!text && !v.is_number()) {
          Fail(ErrorCode::kInvalidArgument,
               "{}: to_null entries must be numbers (the column is numeric), got {}", where,
               v.dump());
        }
        s.to_null.push_back(text && v.is_number() ? json(v.dump()) : v);
      }
    }
    bool canonical = false;
    if (cfg.contains("canonical")) {
      if (!cfg["canonical"].is_boolean())
        Fail(ErrorCode::kInvalidArgument, "{}: canonical must be true or false", where);
      canonical = cfg["canonical"].get<bool>();
      if (canonical && !text)
        Fail(ErrorCode::kInvalidData, "{}: canonical spellings need a text or categorical column",
             where);
    }
    if (canonical) {
      // The most frequent spelling of each case/space-folded group wins (ties: smallest text).
      std::map<std::string, int64_t> counts;
      for (size_t r = 0; r < col.size(); ++r) {
        if (!col.IsNull(r)) ++counts[std::string(col.StringAt(r))];
      }
      std::map<std::string, std::pair<std::string, int64_t>> best;
      for (const auto& [value, count] : counts) {
        const std::string norm = NormalizeSpelling(value);
        auto it = best.find(norm);
        if (it == best.end() || count > it->second.second) best[norm] = {value, count};
      }
      for (const auto& [norm, pick] : best) s.canonical[norm] = pick.first;
    }
    if (s.values.empty() && s.to_null.empty() && !canonical) {
      Fail(ErrorCode::kInvalidArgument,
           "{}: a map step needs values = {{...}}, to_null = [...] or canonical = true", where);
    }
  }
  return s;
}

json StepToJson(const CleaningStep& s) {
  json j = {{"step", s.step}};
  if (s.step == "impute") {
    j["column"] = s.column;
    j["method"] = s.method;
    j["fill"] = s.fill;
    j["indicator"] = s.indicator;
  } else if (s.step == "deduplicate") {
    j["columns"] = s.columns;
  } else if (s.step == "clip") {
    j["column"] = s.column;
    j["method"] = s.method;
    j["lower"] = s.lower ? json(*s.lower) : json();
    j["upper"] = s.upper ? json(*s.upper) : json();
    if (s.method == "iqr") j["factor"] = s.factor;
    if (s.method == "quantiles") j["quantiles"] = s.quantiles;
  } else if (s.step == "map") {
    j["column"] = s.column;
    j["values"] = s.values;
    j["canonical"] = s.canonical;
    j["to_null"] = s.to_null;
  }
  return j;
}

CleaningStep StepFromJson(const json& j, size_t index) {
  const std::string where = fmt::format("cleaning recipe step {}", index + 1);
  auto bad = [&](const char* field) {
    Fail(ErrorCode::kInvalidData, "{}: field {} is missing or has the wrong type", where, field);
  };
  CleaningStep s;
  try {
    if (!j.is_object() || !j.contains("step") || !j["step"].is_string()) bad("step");
    s.step = j["step"].get<std::string>();
    if (std::find(kSteps.begin(), kSteps.end(), s.step) == kSteps.end()) {
      Fail(ErrorCode::kInvalidData, "{}: unknown step {}. Valid steps: {}", where,
           QuoteForMessage(s.step), Join(kSteps, ", "));
    }
    if (s.step != "deduplicate") {
      if (!j.contains("column") || !j["column"].is_string()) bad("column");
      s.column = j["column"].get<std::string>();
    }
    if (s.step == "impute") {
      if (!j.contains("method") || !j["method"].is_string()) bad("method");
      if (!j.contains("fill") || j["fill"].is_null() || j["fill"].is_structured()) bad("fill");
      s.method = j["method"].get<std::string>();
      s.fill = j["fill"];
      s.indicator = j.value("indicator", false);
    } else if (s.step == "deduplicate") {
      if (j.contains("columns")) s.columns = j["columns"].get<std::vector<std::string>>();
    } else if (s.step == "clip") {
      s.method = j.value("method", std::string("limits"));
      if (j.contains("lower") && !j["lower"].is_null()) s.lower = j["lower"].get<double>();
      if (j.contains("upper") && !j["upper"].is_null()) s.upper = j["upper"].get<double>();
      s.factor = j.value("factor", 1.5);
      if (j.contains("quantiles")) s.quantiles = j["quantiles"].get<std::vector<double>>();
    } else {
      s.values = j.value("values", json::object());
      s.canonical = j.value("canonical", json::object());
      s.to_null = j.value("to_null", json::array());
      if (!s.values.is_object() || !s.canonical.is_object() || !s.to_null.is_array())
        bad("values/canonical/to_null");
    }
  } catch (const json::exception& e) {
    Fail(ErrorCode::kInvalidData, "{}: {}", where, e.what());
  }
  return s;
}

}  // namespace

json CleaningRecipe::ToJson() const {
  json steps_json = json::array();
  for (const auto& s : steps) steps_json.push_back(StepToJson(s));
  return {{"format", kRecipeFormat},
          {"version", kRecipeVersion},
          {"table", table},
          {"fitted_rows", fitted_rows},
          {"steps", steps_json}};
}

CleaningRecipe CleaningRecipe::FromJson(const json& j) {
  if (!j.is_object() || j.value("format", std::string()) != kRecipeFormat) {
    Fail(ErrorCode::kInvalidData, "not a cleaning recipe (expected \"format\": \"{}\")",
         kRecipeFormat);
  }
  const int version = j.value("version", 0);
  if (version < 1 || version > kRecipeVersion) {
    Fail(ErrorCode::kInvalidData,
         "cleaning recipe version {} is not supported (this build reads 1 to {})", version,
         kRecipeVersion);
  }
  CleaningRecipe r;
  r.table = j.value("table", std::string());
  r.fitted_rows = j.value("fitted_rows", int64_t{0});
  if (!j.contains("steps") || !j["steps"].is_array())
    Fail(ErrorCode::kInvalidData, "cleaning recipe has no steps list");
  for (size_t i = 0; i < j["steps"].size(); ++i) r.steps.push_back(StepFromJson(j["steps"][i], i));
  return r;
}

json CleaningSummary::ToJson() const {
  json s = json::array();
  for (const auto& st : steps) {
    s.push_back({{"step", st.step},
                 {"column", st.column},
                 {"description", st.description},
                 {"cells_changed", st.cells_changed},
                 {"rows_removed", st.rows_removed}});
  }
  return {{"rows_before", rows_before},
          {"rows_after", rows_after},
          {"rows_removed", rows_before - rows_after},
          {"steps", s}};
}

CleaningRecipe FitCleaning(const Table& table, const std::string& table_name, const json& config,
                           const Context& ctx) {
  if (config.is_null() || (config.is_object() && config.empty())) {
    Fail(ErrorCode::kFailedPrecondition,
         "no cleaning steps for table {} in prospect.toml. Add them as blocks, e.g.\n"
         "[[cleaning.{}]]\nstep = \"impute\"\ncolumn = \"age\"\nmethod = \"median\"\nindicator = "
         "true",
         table_name, table_name);
  }
  if (!config.is_array()) {
    Fail(ErrorCode::kInvalidArgument,
         "cleaning.{} in prospect.toml must be a list of steps written as [[cleaning.{}]] blocks, "
         "e.g.\n"
         "[[cleaning.{}]]\nstep = \"impute\"\ncolumn = \"age\"\nmethod = \"median\"",
         table_name, table_name, table_name);
  }
  CleaningRecipe recipe;
  recipe.table = table_name;
  recipe.fitted_rows = static_cast<int64_t>(table.num_rows());
  Table current = table;
  for (size_t i = 0; i < config.size(); ++i) {
    ctx.ThrowIfCancelled();
    const json& cfg = config[i];
    std::string step_name = cfg.is_object() && cfg.contains("step") && cfg["step"].is_string()
                                ? cfg["step"].get<std::string>()
                                : "";
    const std::string where = Where(table_name, i, step_name);
    if (!cfg.is_object())
      Fail(ErrorCode::kInvalidArgument, "{}: expected a table of options", where);
    if (step_name.empty()) {
      Fail(ErrorCode::kInvalidArgument, "{}: missing step = \"...\". Valid steps: {}", where,
           Join(kSteps, ", "));
    }
    CheckChoice(step_name, kSteps, "step", where);
    CleaningStep step = FitStep(cfg, current, where);
    CleaningStepSummary ignored;
    current = ApplyStep(step, current, ignored, where);  // later steps are fitted on this output
    recipe.steps.push_back(std::move(step));
  }
  return recipe;
}

Table ApplyCleaning(const CleaningRecipe& recipe, const Table& table, const Context& ctx,
                    CleaningSummary* summary) {
  Table current = table;
  CleaningSummary local;
  local.rows_before = static_cast<int64_t>(table.num_rows());
  for (size_t i = 0; i < recipe.steps.size(); ++i) {
    ctx.ThrowIfCancelled();
    CleaningStepSummary sum;
    current =
        ApplyStep(recipe.steps[i], current, sum, Where(recipe.table, i, recipe.steps[i].step));
    local.steps.push_back(std::move(sum));
  }
  local.rows_after = static_cast<int64_t>(current.num_rows());
  if (summary) *summary = std::move(local);
  return current;
}

int64_t SaveCleaningRecipe(Store& store, const CleaningRecipe& recipe) {
  return store.PutObject(kCleaningObjectKind, recipe.table, recipe.ToJson(), "");
}

std::optional<CleaningRecipe> LoadCleaningRecipe(Store& store, const std::string& table) {
  auto obj = store.GetObject(kCleaningObjectKind, table);
  if (!obj) return std::nullopt;
  return CleaningRecipe::FromJson(obj->meta);
}

CleanTableResult CleanTable(Store& store, const CleanTableRequest& req, const Context& ctx) {
  CleanTableResult out;
  out.table = req.table;
  out.out_table = req.out_table.empty() ? req.table + "_clean" : req.out_table;
  Store::CheckTableName(out.out_table);
  const Table table = store.LoadTable(req.table, ctx);
  out.recipe = FitCleaning(table, req.table, req.steps, ctx);
  const Table cleaned = ApplyCleaning(out.recipe, table, ctx, &out.summary);
  out.columns = cleaned.num_columns();
  WriteOptions write;
  write.mode = WriteMode::kReplace;
  store.WriteTable(out.out_table, cleaned, write, ctx);
  out.recipe_version = SaveCleaningRecipe(store, out.recipe);
  store.Audit("clean", fmt::format("table {} -> {}, recipe version {}", req.table, out.out_table,
                                   out.recipe_version));
  return out;
}

nlohmann::json CleanTableResult::ToJson() const {
  return {{"table", table},
          {"out_table", out_table},
          {"recipe_version", recipe_version},
          {"recipe", recipe.ToJson()},
          {"summary", summary.ToJson()}};
}

}  // namespace prospect
