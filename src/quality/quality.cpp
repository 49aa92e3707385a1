// Column profiling, duplicate detection and findings for `prospect quality`. Statistics follow
// pandas' definitions (sample std, linear-interpolated quantiles, NaN as missing) so numbers can be
// checked against it (tests/fixtures/quality/make_quality_fixtures.py).
#include "prospect/quality/quality.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "quality/quality_internal.hpp"

namespace prospect {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Integer codes that data exporters commonly use for "missing" or "not applicable".
constexpr double kNumericSentinels[] = {-1,  -9,   -99,   -999,   -9999,  99,
                                        999, 9999, 99999, 999999, 9999999};

// Normalised spellings of text markers for "missing".
const char* const kTextSentinels[] = {
    "unknown",   "unk",     "n/a",   "na",   "n.a.", "none",    "null",          "nil",
    "nan",       "?",       "-",     "--",   "---",  "missing", "not available", "not applicable",
    "undefined", "(blank)", "blank", "#n/a", "tbd",  ""};

bool IsTextSentinel(std::string_view normalized) {
  for (const char* s : kTextSentinels) {
    if (normalized == s) return true;
  }
  return false;
}

// Shares for messages: one decimal, but small non-zero shares keep two significant digits.
std::string Pct(double part, double whole) {
  if (!(whole > 0)) return "0%";
  const double p = 100.0 * part / whole;
  return p > 0 && p < 0.1 ? fmt::format("{:.2g}%", p) : fmt::format("{:.1f}%", p);
}

// The non-null, non-NaN values of a numeric column as doubles (unsorted) and the NaN count.
std::vector<double> NumericValues(const Column& col, int64_t* nan_count) {
  std::vector<double> out;
  out.reserve(col.size() - col.null_count());
  *nan_count = 0;
  if (col.type() == DataType::kDouble) {
    const auto d = col.doubles();
    for (size_t r = 0; r < col.size(); ++r) {
      if (col.IsNull(r)) continue;
      if (std::isnan(d[r])) {
        ++*nan_count;
        continue;
      }
      out.push_back(d[r]);
    }
  } else {
    const auto v = col.ints();
    for (size_t r = 0; r < col.size(); ++r) {
      if (!col.IsNull(r)) out.push_back(static_cast<double>(v[r]));
    }
  }
  return out;
}

NumericStats ComputeNumeric(std::vector<double> values, bool integer_valued,
                            const QualityOptions& options) {
  NumericStats s;
  // ±inf would swamp every moment; they are counted and reported instead.
  const auto inf_end =
      std::remove_if(values.begin(), values.end(), [](double x) { return std::isinf(x); });
  s.infinite = values.end() - inf_end;
  values.erase(inf_end, values.end());
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  s.count = static_cast<int64_t>(n);
  if (n == 0) {
    s.min = s.max = s.mean = s.std = s.iqr_lower = s.iqr_upper = kNaN;
    s.quantiles.fill(kNaN);
    return s;
  }
  s.min = values.front();
  s.max = values.back();
  // Two passes in long double, as pandas' nanvar does in float64 (mean first, then squares).
  long double sum = 0;
  for (double x : values) sum += x;
  const long double mean = sum / static_cast<long double>(n);
  long double sq = 0;
  for (double x : values) sq += (x - mean) * (x - mean);
  s.mean = static_cast<double>(mean);
  s.std = n > 1 ? static_cast<double>(std::sqrt(sq / static_cast<long double>(n - 1))) : kNaN;
  for (size_t i = 0; i < kQualityQuantileLevels.size(); ++i)
    s.quantiles[i] = QuantileSorted(values, kQualityQuantileLevels[i]);
  const double q1 = QuantileSorted(values, 0.25), q3 = QuantileSorted(values, 0.75);
  s.iqr_lower = q1 - options.iqr_factor * (q3 - q1);
  s.iqr_upper = q3 + options.iqr_factor * (q3 - q1);
  for (double x : values) {
    if (x < s.iqr_lower || x > s.iqr_upper) ++s.iqr_outliers;
    if (x == 0) ++s.zeros;
    if (x < 0) ++s.negatives;
    if (s.std > 0 && std::fabs(x - s.mean) / s.std > options.z_threshold) ++s.z_outliers;
  }
  s.histogram = ComputeHistogram(values, integer_valued, options.max_bins);
  return s;
}

// Distinct values and their counts for string-like and bool columns, most frequent first.
std::vector<ValueCount> CountValues(const Column& col) {
  std::vector<ValueCount> out;
  if (col.type() == DataType::kCategorical) {
    std::vector<int64_t> counts(col.dictionary().size(), 0);
    for (int32_t c : col.codes()) {
      if (c >= 0) ++counts[static_cast<size_t>(c)];
    }
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > 0) out.push_back({col.dictionary()[i], counts[i]});
    }
  } else if (col.type() == DataType::kBool) {
    int64_t t = 0, f = 0;
    for (size_t r = 0; r < col.size(); ++r) {
      if (col.IsNull(r)) continue;
      (col.bools()[r] ? t : f) += 1;
    }
    if (t) out.push_back({"true", t});
    if (f) out.push_back({"false", f});
  } else {
    std::unordered_map<std::string_view, int64_t> counts;
    for (size_t r = 0; r < col.size(); ++r) {
      if (!col.IsNull(r)) ++counts[col.StringAt(r)];
    }
    out.reserve(counts.size());
    for (const auto& [v, c] : counts) out.push_back({std::string(v), c});
  }
  std::sort(out.begin(), out.end(), [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return out;
}

int64_t CountDistinctInts(const Column& col) {
  std::vector<int64_t> v;
  v.reserve(col.size());
  for (size_t r = 0; r < col.size(); ++r) {
    if (!col.IsNull(r)) v.push_back(col.ints()[r]);
  }
  std::sort(v.begin(), v.end());
  return std::unique(v.begin(), v.end()) - v.begin();
}

int64_t CountDistinctDoubles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return std::unique(v.begin(), v.end()) - v.begin();
}

bool ParsesAsNumber(std::string_view text) {
  double value = 0;
  return ParseDouble(Trim(text), &value);
}

std::string CleaningSnippet(const std::string& table, const std::string& body) {
  return fmt::format("[[cleaning.{}]] {}", table, body);
}

// --- findings -------------------------------------------------------------------------------

void AddSentinelFindingsNumeric(const std::string& table, const ColumnQuality& cq,
                                const std::vector<double>& sorted, std::vector<Finding>& findings,
                                bool* found) {
  const double n = static_cast<double>(sorted.size());
  for (double v : kNumericSentinels) {
    const auto [lo, hi] = std::equal_range(sorted.begin(), sorted.end(), v);
    const int64_t count = hi - lo;
    if (count < 2 || static_cast<double>(count) < 0.01 * n) continue;
    const size_t rest = sorted.size() - static_cast<size_t>(count);
    if (rest == 0) continue;  // a constant column, reported as such
    // The other values' range, skipping the run of v.
    const double rest_min = lo == sorted.begin() ? *hi : sorted.front();
    const double rest_max = hi == sorted.end() ? *(lo - 1) : sorted.back();
    const double spread = rest_max - rest_min;
    std::string where;
    if (v > rest_max && v - rest_max > spread) {
      where = fmt::format("far above the other values ({}–{})", FormatNumber(rest_min),
                          FormatNumber(rest_max));
    } else if (v < rest_min && (rest_min - v > spread || (v < 0 && rest_min >= 0))) {
      where = v < 0 && rest_min >= 0 ? fmt::format("the only negative value; the others are {}–{}",
                                                   FormatNumber(rest_min), FormatNumber(rest_max))
                                     : fmt::format("far below the other values ({}–{})",
                                                   FormatNumber(rest_min), FormatNumber(rest_max));
    } else {
      continue;
    }
    Finding f;
    f.kind = "sentinel";
    f.column = cq.name;
    f.severity = "warning";
    f.message = fmt::format(
        "{}: {} of values are {} ({} of {}), {} — looks like a code for 'not applicable' "
        "(e.g. 'not contacted') or 'unknown', not a measurement",
        cq.name, Pct(static_cast<double>(count), n), FormatNumber(v), count, sorted.size(), where);
    f.suggestion = fmt::format(
        "treat it as missing: {} (then optionally step=\"impute\" with indicator=true); statistics "
        "of this column "
        "are distorted until then",
        CleaningSnippet(table, fmt::format("step=\"map\" column=\"{}\" to_null=[{}]", cq.name,
                                           FormatNumber(v))));
    f.details = {{"value", v},
                 {"count", count},
                 {"share", static_cast<double>(count) / n},
                 {"others_min", rest_min},
                 {"others_max", rest_max}};
    findings.push_back(std::move(f));
    *found = true;
  }
}

void AddTextFindings(const std::string& table, const ColumnQuality& cq,
                     const std::vector<ValueCount>& counts, std::vector<Finding>& findings) {
  const double n = static_cast<double>(cq.count);
  // Text markers for "missing", one finding per marker with all its spellings ("missing",
  // "Missing").
  std::map<std::string, std::vector<const ValueCount*>> markers;
  for (const auto& vc : counts) {
    std::string norm = NormalizeSpelling(vc.value);
    if (IsTextSentinel(norm)) markers[std::move(norm)].push_back(&vc);
  }
  for (const auto& [norm, spellings] : markers) {
    int64_t total = 0;
    std::vector<std::string> shown, quoted;
    nlohmann::json values = nlohmann::json::array();
    for (const ValueCount* vc : spellings) {
      total += vc->count;
      shown.push_back(vc->value.empty() ? std::string("empty text") : QuoteForMessage(vc->value));
      quoted.push_back(nlohmann::json(vc->value).dump());
      values.push_back(vc->value);
    }
    Finding f;
    f.kind = "sentinel";
    f.column = cq.name;
    f.severity = static_cast<double>(total) >= 0.05 * n ? "warning" : "info";
    f.message =
        fmt::format("{}: {} cells ({}) hold {}, which usually means the value is missing", cq.name,
                    total, Pct(static_cast<double>(total), n), Join(shown, " or "));
    std::vector<std::string> flags;
    for (const ValueCount* vc : spellings) flags.push_back("--null " + QuoteForMessage(vc->value));
    f.suggestion =
        fmt::format("re-ingest with {}, or {}", Join(flags, " "),
                    CleaningSnippet(table, fmt::format("step=\"map\" column=\"{}\" to_null=[{}]",
                                                       cq.name, Join(quoted, ", "))));
    f.details = {{"values", values}, {"count", total}, {"share", static_cast<double>(total) / n}};
    findings.push_back(std::move(f));
  }
  // Mostly numbers with a few exceptions: the column probably should be numeric.
  int64_t numeric = 0;
  std::vector<ValueCount> non_numeric;
  int64_t non_numeric_cells = 0;
  for (const auto& vc : counts) {
    if (ParsesAsNumber(vc.value)) {
      numeric += vc.count;
    } else {
      non_numeric.push_back(vc);
      non_numeric_cells += vc.count;
    }
  }
  if (cq.count > 0 && non_numeric_cells > 0 && static_cast<double>(numeric) >= 0.8 * n) {
    Finding f;
    f.kind = "mostly_numeric";
    f.column = cq.name;
    f.severity = "warning";
    std::vector<std::string> examples;
    nlohmann::json ex = nlohmann::json::array();
    for (size_t i = 0; i < non_numeric.size() && i < 5; ++i) {
      examples.push_back(
          fmt::format("{} ×{}", QuoteForMessage(non_numeric[i].value), non_numeric[i].count));
      ex.push_back({{"value", non_numeric[i].value}, {"count", non_numeric[i].count}});
    }
    f.message = fmt::format("{}: {} of values are numbers but {} cells are not: {}{}", cq.name,
                            Pct(static_cast<double>(numeric), n), non_numeric_cells,
                            Join(examples, ", "), non_numeric.size() > 5 ? ", …" : "");
    f.suggestion =
        "if these mark missing values, declare them on ingest (--null VALUE) so the column loads "
        "as a "
        "number; if the column is a code or identifier, keep it as text";
    f.details = {
        {"numeric_cells", numeric}, {"non_numeric_cells", non_numeric_cells}, {"examples", ex}};
    findings.push_back(std::move(f));
  }
  // Spellings that differ only in case or whitespace.
  std::map<std::string, std::vector<const ValueCount*>> groups;
  for (const auto& vc : counts) {
    std::string norm = NormalizeSpelling(vc.value);
    if (!norm.empty()) groups[std::move(norm)].push_back(&vc);
  }
  std::vector<std::string> parts;
  nlohmann::json detail = nlohmann::json::array();
  for (const auto& [norm, members] : groups) {
    if (members.size() < 2) continue;
    // counts are sorted most frequent first, so members are too: members[0] is the canonical pick.
    std::vector<std::string> spellings;
    nlohmann::json js = nlohmann::json::array();
    for (const ValueCount* m : members) {
      spellings.push_back(fmt::format("{} ({})", QuoteForMessage(m->value), m->count));
      js.push_back({{"value", m->value}, {"count", m->count}});
    }
    if (parts.size() < 5) parts.push_back(Join(spellings, ", "));
    detail.push_back({{"normalized", norm}, {"canonical", members[0]->value}, {"spellings", js}});
  }
  if (!detail.empty()) {
    Finding f;
    f.kind = "inconsistent_spelling";
    f.column = cq.name;
    f.severity = "warning";
    f.message =
        fmt::format("{}: {} categor{} spelled in several ways (case or spaces differ): {}{}",
                    cq.name, detail.size(), detail.size() == 1 ? "y is" : "ies are",
                    Join(parts, "; "), detail.size() > 5 ? "; …" : "");
    f.suggestion = fmt::format(
        "merge them into the most frequent spelling: {}",
        CleaningSnippet(table, fmt::format("step=\"map\" column=\"{}\" canonical=true", cq.name)));
    f.details = {{"groups", detail}};
    findings.push_back(std::move(f));
  }
}

}  // namespace

std::string FormatNumber(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return fmt::format("{:.0f}", x);
  return fmt::format("{:.6g}", x);
}

Histogram ComputeHistogram(std::span<const double> sorted, bool integer_valued, size_t max_bins) {
  // Fewer values make p1 and p99 the extremes themselves.
  constexpr size_t kMinValuesToClip = 100;
  Histogram h;
  const size_t n = sorted.size();
  if (n == 0) return h;
  max_bins = std::max<size_t>(max_bins, 1);
  // IQR of every value, before any clipping: the tails do not move it.
  const double iqr = QuantileSorted(sorted, 0.75) - QuantileSorted(sorted, 0.25);
  // Whole numbers whose whole range fits in the bins keep it: one bar per value shows the tail.
  const bool fits =
      integer_valued && sorted.back() - sorted.front() + 1 <= static_cast<double>(max_bins);
  if (n >= kMinValuesToClip && !fits) {
    double p1 = QuantileSorted(sorted, 0.01), p99 = QuantileSorted(sorted, 0.99);
    if (integer_valued) {  // bins of whole numbers: clip at whole numbers inside the bulk
      p1 = std::ceil(p1);
      p99 = std::floor(p99);
    }
    const double bulk = p99 - p1;
    size_t first = 0, last = n;  // the values kept in the bins: [first, last)
    if (bulk > 0 && sorted.back() - p99 > bulk) {
      last =
          static_cast<size_t>(std::upper_bound(sorted.begin(), sorted.end(), p99) - sorted.begin());
    }
    if (bulk > 0 && p1 - sorted.front() > bulk) {
      first =
          static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), p1) - sorted.begin());
    }
    if (first > 0 || last < n) {
      h.below = static_cast<int64_t>(first);
      h.above = static_cast<int64_t>(n - last);
      sorted = sorted.subspan(first, last - first);
    }
  }
  const double lo = sorted.front(), hi = sorted.back();
  if (lo == hi) {
    h.rule = "single";
    h.edges = {lo - 0.5, lo + 0.5};
    h.counts = {static_cast<int64_t>(sorted.size())};
    return h;
  }
  double start = lo, width = 0;
  size_t bins = 0;
  if (integer_valued && hi - lo + 1 <= static_cast<double>(max_bins)) {
    h.rule = "integer";
    start = lo - 0.5;
    width = 1;
    bins = static_cast<size_t>(hi - lo) + 1;
  } else {
    double want = 0;
    if (iqr > 0) {
      h.rule = "freedman-diaconis";
      want = std::ceil((hi - lo) / (2 * iqr * std::cbrt(1.0 / static_cast<double>(n))));
    } else {
      h.rule = "sqrt";
      want = std::ceil(std::sqrt(static_cast<double>(sorted.size())));
    }
    bins = static_cast<size_t>(std::clamp(want, 1.0, static_cast<double>(max_bins)));
    width = (hi - lo) / static_cast<double>(bins);
    if (integer_valued) {
      // Whole-number widths centred on integers, so every bin holds the same number of integers.
      width = std::ceil(width);
      start = lo - 0.5;
      bins = static_cast<size_t>(std::ceil((hi - lo + 1) / width));
    }
  }
  h.edges.resize(bins + 1);
  for (size_t i = 0; i <= bins; ++i) h.edges[i] = start + width * static_cast<double>(i);
  if (!integer_valued) h.edges.back() = hi;
  h.counts.assign(bins, 0);
  for (double x : sorted) {
    double idx = std::floor((x - start) / width);
    size_t i = idx < 0 ? 0 : std::min(static_cast<size_t>(idx), bins - 1);
    // Floating rounding can put a value just past its bin's edge; keep [edge_i, edge_i+1).
    while (i > 0 && x < h.edges[i]) --i;
    while (i + 1 < bins && x >= h.edges[i + 1]) ++i;
    ++h.counts[i];
  }
  return h;
}

std::string NormalizeSpelling(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

QualityReport ComputeQualityReport(const Table& table, const std::string& table_name,
                                   const QualityOptions& options, const Context& ctx) {
  QualityReport report;
  report.table = table_name;
  report.rows = static_cast<int64_t>(table.num_rows());
  const double rows = static_cast<double>(table.num_rows());

  std::vector<size_t> all(table.num_columns());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  report.duplicate_rows = CountDuplicateRows(table, all, nullptr);
  if (options.key) {
    const size_t k = table.ColumnIndex(*options.key);  // throws kNotFound naming the columns
    report.key = *options.key;
    report.duplicate_keys = CountDuplicateRows(table, {k}, &report.duplicate_key_examples);
  }
  if (report.duplicate_rows > 0) {
    report.findings.push_back(
        {"duplicate_rows",
         "warning",
         "",
         fmt::format("{} rows ({}) are exact copies of an earlier row", report.duplicate_rows,
                     Pct(static_cast<double>(report.duplicate_rows), rows)),
         fmt::format("drop them: {}", CleaningSnippet(table_name, "step=\"deduplicate\"")),
         {{"count", report.duplicate_rows}}});
  }
  if (report.duplicate_keys > 0) {
    std::vector<std::string> ex;
    for (const auto& vc : report.duplicate_key_examples)
      ex.push_back(fmt::format("{} ×{}", QuoteForMessage(vc.value), vc.count));
    report.findings.push_back(
        {"duplicate_keys",
         "warning",
         *report.key,
         fmt::format("{}: {} rows repeat a key already seen (e.g. {})", *report.key,
                     report.duplicate_keys, Join(ex, ", ")),
         fmt::format(
             "keep the first row per key: {}",
             CleaningSnippet(table_name,
                             fmt::format("step=\"deduplicate\" columns=[\"{}\"]", *report.key))),
         {{"count", report.duplicate_keys}}});
  }

  for (size_t c = 0; c < table.num_columns(); ++c) {
    ctx.ThrowIfCancelled();
    const Column& col = *table.column(c);
    ColumnQuality cq;
    cq.name = table.schema().field(c).name;
    cq.type = col.type();
    cq.missing = static_cast<int64_t>(col.null_count());
    std::vector<double> sorted;
    std::vector<ValueCount> counts;
    if (IsNumeric(col.type())) {
      int64_t nan_count = 0;
      std::vector<double> values = NumericValues(col, &nan_count);
      cq.missing += nan_count;
      cq.distinct =
          col.type() == DataType::kInt64 ? CountDistinctInts(col) : CountDistinctDoubles(values);
      cq.numeric = ComputeNumeric(values, col.type() == DataType::kInt64, options);
      sorted = std::move(values);
      std::sort(sorted.begin(), sorted.end());
    } else if (IsIntegerStorage(col.type())) {  // date, timestamp
      cq.distinct = CountDistinctInts(col);
      int64_t mn = std::numeric_limits<int64_t>::max(), mx = std::numeric_limits<int64_t>::min();
      for (size_t r = 0; r < col.size(); ++r) {
        if (col.IsNull(r)) continue;
        mn = std::min(mn, col.ints()[r]);
        mx = std::max(mx, col.ints()[r]);
      }
      if (mn <= mx) {
        const bool date = col.type() == DataType::kDate;
        cq.min_text = date ? FormatDate(mn) : FormatTimestamp(mn);
        cq.max_text = date ? FormatDate(mx) : FormatTimestamp(mx);
      }
    } else {
      counts = CountValues(col);
      cq.distinct = static_cast<int64_t>(counts.size());
      cq.top.assign(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(
                                                         std::min(options.top_k, counts.size())));
    }
    cq.count = report.rows - cq.missing;
    cq.missing_pct = rows > 0 ? 100.0 * static_cast<double>(cq.missing) / rows : 0.0;

    // Findings for this column, in a fixed order.
    if (report.rows > 0 && cq.count == 0) {
      report.findings.push_back(
          {"missing",
           "warning",
           cq.name,
           fmt::format("{}: every value is missing", cq.name),
           "drop the column or check the ingest (a wrong delimiter or null marker?)",
           {{"missing", cq.missing}, {"share", 1.0}}});
    } else if (cq.missing > 0) {
      const bool numeric = IsNumeric(col.type());
      report.findings.push_back(
          {"missing",
           cq.missing_pct >= 5 ? "warning" : "info",
           cq.name,
           fmt::format("{}: {} missing ({} of {})", cq.name,
                       Pct(static_cast<double>(cq.missing), rows), cq.missing, report.rows),
           fmt::format("fill them and keep a flag: {}",
                       CleaningSnippet(
                           table_name,
                           fmt::format("step=\"impute\" column=\"{}\" method=\"{}\" indicator=true",
                                       cq.name, numeric ? "median" : "mode"))),
           {{"missing", cq.missing}, {"share", cq.missing_pct / 100}}});
    }
    if (cq.distinct == 1 && cq.count > 1) {
      report.findings.push_back(
          {"constant",
           "info",
           cq.name,
           fmt::format("{}: every non-missing value is the same, so it carries no information",
                       cq.name),
           "exclude it from models (--exclude)",
           {{"distinct", 1}}});
    }
    if (cq.numeric) {
      const NumericStats& s = *cq.numeric;
      if (s.infinite > 0) {
        report.findings.push_back(
            {"infinite",
             "warning",
             cq.name,
             fmt::format("{}: {} infinite values (excluded from the statistics)", cq.name,
                         s.infinite),
             "replace them at the source, or clip the column",
             {{"count", s.infinite}}});
      }
      bool sentinel = false;
      AddSentinelFindingsNumeric(table_name, cq, sorted, report.findings, &sentinel);
      // With IQR = 0 the fences collapse onto one value and every other value "is an outlier";
      // that says more about the distribution's shape than about bad values, so stay quiet.
      if (!sentinel && s.iqr_outliers > 0 && s.iqr_upper > s.iqr_lower) {
        report.findings.push_back(
            {"outliers",
             "info",
             cq.name,
             fmt::format("{}: {} values ({}) outside the IQR fences [{}, {}]; {} with |z| > {}",
                         cq.name, s.iqr_outliers,
                         Pct(static_cast<double>(s.iqr_outliers), static_cast<double>(s.count)),
                         FormatNumber(s.iqr_lower), FormatNumber(s.iqr_upper), s.z_outliers,
                         FormatNumber(options.z_threshold)),
             fmt::format("if these are errors rather than real extremes, cap them: {}",
                         CleaningSnippet(
                             table_name,
                             fmt::format("step=\"clip\" column=\"{}\" method=\"iqr\"", cq.name))),
             {{"iqr_outliers", s.iqr_outliers},
              {"z_outliers", s.z_outliers},
              {"lower", s.iqr_lower},
              {"upper", s.iqr_upper}}});
      }
    }
    if (IsStringLike(col.type())) AddTextFindings(table_name, cq, counts, report.findings);
    report.columns.push_back(std::move(cq));
  }
  return report;
}

namespace {

nlohmann::json Num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

}  // namespace

nlohmann::json QualityReport::ToJson() const {
  nlohmann::json doc;
  doc["table"] = table;
  doc["rows"] = rows;
  doc["num_columns"] = columns.size();
  doc["duplicate_rows"] = duplicate_rows;
  doc["key"] = key ? nlohmann::json(*key) : nlohmann::json();
  doc["duplicate_keys"] = duplicate_keys;
  doc["duplicate_key_examples"] = nlohmann::json::array();
  for (const auto& vc : duplicate_key_examples)
    doc["duplicate_key_examples"].push_back({{"value", vc.value}, {"count", vc.count}});
  doc["quantile_levels"] = kQualityQuantileLevels;
  doc["columns"] = nlohmann::json::array();
  for (const auto& c : columns) {
    nlohmann::json j = {
        {"name", c.name},       {"type", DataTypeName(c.type)}, {"count", c.count},
        {"missing", c.missing}, {"missing_pct", c.missing_pct}, {"distinct", c.distinct}};
    if (c.numeric) {
      const NumericStats& s = *c.numeric;
      nlohmann::json q = nlohmann::json::object();
      for (size_t i = 0; i < kQualityQuantileLevels.size(); ++i) {
        q[fmt::format("p{}", static_cast<int>(std::lround(kQualityQuantileLevels[i] * 100)))] =
            Num(s.quantiles[i]);
      }
      j["numeric"] = {{"min", Num(s.min)},
                      {"max", Num(s.max)},
                      {"mean", Num(s.mean)},
                      {"std", Num(s.std)},
                      {"quantiles", q},
                      {"iqr_lower", Num(s.iqr_lower)},
                      {"iqr_upper", Num(s.iqr_upper)},
                      {"iqr_outliers", s.iqr_outliers},
                      {"z_outliers", s.z_outliers},
                      {"infinite", s.infinite},
                      {"zeros", s.zeros},
                      {"negatives", s.negatives},
                      {"histogram",
                       {{"edges", s.histogram.edges},
                        {"counts", s.histogram.counts},
                        {"rule", s.histogram.rule},
                        {"below", s.histogram.below},
                        {"above", s.histogram.above}}}};
    }
    if (!c.min_text.empty()) {
      j["min"] = c.min_text;
      j["max"] = c.max_text;
    }
    if (IsStringLike(c.type) || c.type == DataType::kBool) {
      j["top"] = nlohmann::json::array();
      for (const auto& vc : c.top) j["top"].push_back({{"value", vc.value}, {"count", vc.count}});
    }
    doc["columns"].push_back(std::move(j));
  }
  doc["findings"] = nlohmann::json::array();
  for (const auto& f : findings) {
    doc["findings"].push_back(
        {{"kind", f.kind},
         {"severity", f.severity},
         {"column", f.column.empty() ? nlohmann::json() : nlohmann::json(f.column)},
         {"message", f.message},
         {"suggestion", f.suggestion},
         {"details", f.details.is_null() ? nlohmann::json::object() : f.details}});
  }
  return doc;
}

QualityReport ComputeQualityReport(Store& store, const std::string& table_name,
                                   QualityOptions options, const Context& ctx) {
  const Table table = store.LoadTable(table_name, ctx);
  if (!options.key) {
    if (const auto info = store.FindTable(table_name); info && info->key) options.key = info->key;
  }
  return ComputeQualityReport(table, table_name, options, ctx);
}

}  // namespace prospect
