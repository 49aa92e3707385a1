// Transaction log → per-customer (x, t_x, T, monetary) with a holdout (see summary.hpp).
#include "prospect/clv/summary.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/enum_names.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::clv {
namespace {

constexpr EnumName<TimeUnit> kTimeUnits[] = {{TimeUnit::kDay, "day"},
                                             {TimeUnit::kWeek, "week"},
                                             {TimeUnit::kMonth, "month"},
                                             {TimeUnit::kYear, "year"}};

// A row's day (days since the epoch) from a date or timestamp column.
int64_t DayOf(const Column& dates, size_t row) {
  const int64_t v = dates.ints()[row];
  return dates.type() == DataType::kDate ? v : DayOfTimestamp(v);
}

// Customers numbered in order of first appearance. Integer and categorical ids are looked up as
// they are (a hash of strings made from millions of integer ids costs more than the fits).
class CustomerIndex {
 public:
  explicit CustomerIndex(const Column& ids) : ids_(ids) {
    if (ids.type() == DataType::kCategorical) by_code_.assign(ids.dictionary().size(), kNone);
  }
  // Row r's customer number; a new customer's id is appended to `names`.
  uint32_t Of(size_t r, std::vector<std::string>& names) {
    const auto next = static_cast<uint32_t>(names.size());
    uint32_t* slot = nullptr;
    if (ids_.type() == DataType::kCategorical) {
      slot = &by_code_[static_cast<size_t>(ids_.codes()[r])];
    } else if (ids_.type() == DataType::kInt64) {
      slot = &by_int_.try_emplace(ids_.ints()[r], kNone).first->second;
    } else {
      slot = &by_string_.try_emplace(ids_.FormatValue(r), kNone).first->second;
    }
    if (*slot == kNone) {
      *slot = next;
      names.push_back(ids_.FormatValue(r));
    }
    return *slot;
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  const Column& ids_;
  std::vector<uint32_t> by_code_;
  std::unordered_map<int64_t, uint32_t> by_int_;
  std::unordered_map<std::string, uint32_t> by_string_;
};

struct Purchase {
  uint32_t customer;
  int64_t day;
  int64_t micros;  // the timestamp (a date's midnight)
  double value;
};

int64_t MicrosOf(const Column& dates, size_t row) {
  const int64_t v = dates.ints()[row];
  return dates.type() == DataType::kDate ? v * kMicrosPerDay : v;
}

}  // namespace

std::string_view TimeUnitName(TimeUnit unit) { return NameOf(kTimeUnits, unit); }

TimeUnit ParseTimeUnit(std::string_view name) {
  return ParseName(kTimeUnits, name, "time unit", "time units");
}

double DaysPerUnit(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kDay: return 1;
    case TimeUnit::kWeek: return 7;
    case TimeUnit::kMonth: return 365.25 / 12;
    case TimeUnit::kYear: return 365.25;
  }
  return 1;
}

Table CustomerSummary::ToTable(const std::string& id_column) const {
  auto doubles = [](const std::vector<double>& v) {
    return Column::FromDoubles(ColumnVector<double>(v.begin(), v.end()));
  };
  return Table(Schema({{id_column, DataType::kString},
                       {"frequency", DataType::kDouble},
                       {"recency", DataType::kDouble},
                       {"T", DataType::kDouble},
                       {"monetary", DataType::kDouble},
                       {"holdout_purchases", DataType::kDouble},
                       {"holdout_value", DataType::kDouble}}),
               {Column::FromStringVector(ids), doubles(frequency), doubles(recency), doubles(age),
                doubles(monetary), doubles(holdout_purchases), doubles(holdout_value)});
}

CustomerSummary Summarise(const Table& transactions, const SummaryRequest& req,
                          const Context& ctx) {
  const Column& ids = transactions.column(req.customer_column);
  const Column& dates = transactions.column(req.date_column);
  if (dates.type() != DataType::kDate && dates.type() != DataType::kTimestamp) {
    Fail(ErrorCode::kInvalidArgument, "clv: date column {} is {}: expected a date or timestamp",
         req.date_column, DataTypeName(dates.type()));
  }
  const Column* values = nullptr;
  if (!req.value_column.empty()) {
    values = &transactions.column(req.value_column);
    if (!IsNumeric(values->type()))
      Fail(ErrorCode::kInvalidArgument, "clv: value column {} is {}: expected a number",
           req.value_column, DataTypeName(values->type()));
  }

  if (req.exact_times && dates.type() != DataType::kTimestamp) {
    Fail(ErrorCode::kInvalidArgument,
         "clv: exact times need a timestamp column; {} is a date (one purchase per day is all it "
         "can tell)",
         req.date_column);
  }
  CustomerSummary out;
  out.unit = req.unit;
  CustomerIndex index(ids);
  std::vector<Purchase> purchases;
  purchases.reserve(transactions.num_rows());
  int64_t last_day = INT64_MIN;
  for (size_t r = 0; r < transactions.num_rows(); ++r) {
    if (ids.IsNull(r) || dates.IsNull(r)) {
      ++out.skipped_rows;
      continue;
    }
    const uint32_t customer = index.Of(r, out.ids);
    const int64_t day = DayOf(dates, r);
    const double value = values && !values->IsNull(r) ? values->NumericAt(r) : 0.0;
    purchases.push_back({customer, day, MicrosOf(dates, r), value});
    last_day = std::max(last_day, day);
  }
  out.transactions = purchases.size();
  if (purchases.empty())
    Fail(ErrorCode::kInvalidData, "clv: no transaction has both a {} and a {}", req.customer_column,
         req.date_column);
  out.calibration_end = req.calibration_end.value_or(last_day);
  out.observation_end = req.observation_end.value_or(last_day);
  if (out.observation_end < out.calibration_end)
    Fail(ErrorCode::kInvalidArgument,
         "clv: the observation end {} is before the calibration end {}",
         FormatDate(out.observation_end), FormatDate(out.calibration_end));
  ctx.ThrowIfCancelled();

  std::sort(purchases.begin(), purchases.end(), [](const Purchase& a, const Purchase& b) {
    return std::tie(a.customer, a.micros) < std::tie(b.customer, b.micros);
  });
  const double per_unit = DaysPerUnit(req.unit);
  out.holdout_length = static_cast<double>(out.observation_end - out.calibration_end) / per_unit;
  // Customers in id order of first appearance; only those who bought by the calibration end.
  std::vector<std::string> kept_ids;
  int64_t first_day = INT64_MAX;
  for (size_t i = 0; i < purchases.size();) {
    const uint32_t c = purchases[i].customer;
    size_t end = i;
    while (end < purchases.size() && purchases[end].customer == c) ++end;
    const int64_t first = purchases[i].day;
    if (first <= out.calibration_end) {
      double x = 0, repeat_value = 0, holdout = 0, holdout_value = 0;
      // Times from the first purchase, in days (exact: to the end of the calibration day).
      const auto days_since_first = [&](int64_t micros) {
        return static_cast<double>(micros - purchases[i].micros) / kMicrosPerDay;
      };
      const double age = req.exact_times
                             ? days_since_first((out.calibration_end + 1) * kMicrosPerDay)
                             : static_cast<double>(out.calibration_end - first);
      double last = 0;
      for (size_t j = i, next = i; j < end; j = next) {
        // A purchase: the day's transactions (values summed), or with exact times each one.
        const int64_t day = purchases[j].day;
        double value = 0;
        do {
          value += purchases[next++].value;
        } while (!req.exact_times && next < end && purchases[next].day == day);
        if (j == i) continue;  // the first purchase: not a repeat
        const double time = req.exact_times ? days_since_first(purchases[j].micros)
                                            : static_cast<double>(day - first);
        if (day <= out.calibration_end) {
          ++x;
          repeat_value += value;
          last = time;
        } else if (day <= out.observation_end) {
          ++holdout;
          holdout_value += value;
        }
      }
      kept_ids.push_back(out.ids[c]);
      out.frequency.push_back(x);
      out.recency.push_back(last / per_unit);
      out.age.push_back(age / per_unit);
      out.monetary.push_back(x > 0 ? repeat_value / x : 0.0);
      out.holdout_purchases.push_back(holdout);
      out.holdout_value.push_back(holdout_value);
      first_day = std::min(first_day, first);
    }
    i = end;
  }
  if (kept_ids.empty())
    Fail(ErrorCode::kInvalidData,
         "clv: no customer bought on or before the calibration end {} (the first transaction is "
         "on {})",
         FormatDate(out.calibration_end), FormatDate(purchases.front().day));
  out.ids = std::move(kept_ids);
  out.first_day = first_day;
  return out;
}

GroupedHistories GroupHistories(const CustomerSummary& s) {
  std::vector<std::array<double, 3>> rows(s.size());
  for (size_t i = 0; i < s.size(); ++i) rows[i] = {s.frequency[i], s.recency[i], s.age[i]};
  std::sort(rows.begin(), rows.end());
  GroupedHistories g;
  for (size_t i = 0; i < rows.size();) {
    size_t end = i + 1;
    while (end < rows.size() && rows[end] == rows[i]) ++end;
    g.frequency.push_back(rows[i][0]);
    g.recency.push_back(rows[i][1]);
    g.age.push_back(rows[i][2]);
    g.count.push_back(static_cast<double>(end - i));
    i = end;
  }
  g.customers = static_cast<double>(s.size());
  return g;
}

}  // namespace prospect::clv
