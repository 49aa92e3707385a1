// Type inference: the sampled-cell guesser (bool, int64, double, date, timestamp, categorical,
// string) and the widening rule used when a later cell does not fit.
#include "io/type_inference.hpp"

namespace prospect::io {
namespace {
constexpr size_t kMaxCategories = 65536;
}

TypeGuesser::TypeGuesser(bool text_only, char decimal)
    : maybe_bool_(!text_only),
      maybe_int_(!text_only),
      maybe_double_(!text_only),
      decimal_(decimal) {}

void TypeGuesser::Observe(std::string_view text) {
  ++observed_;
  if (IsBlankText(text)) {  // null in a non-text column; kept as it is in a text one
    ++blank_;
    return;
  }
  bool b;
  int64_t i;
  double d;
  if (maybe_bool_ && !ParseBool(text, false, &b)) maybe_bool_ = false;
  if ((maybe_int_ || maybe_double_) && HasLeadingZero(text)) maybe_int_ = maybe_double_ = false;
  if (maybe_int_ && !ParseInt64(text, &i)) maybe_int_ = false;
  if (maybe_double_ && !maybe_int_ && !ParseDouble(text, decimal_, &d)) maybe_double_ = false;
  if (maybe_int_ || maybe_double_) {
    // This cell is a number, and no date or timestamp form is one.
    maybe_date_ = maybe_timestamp_ = false;
  } else if (maybe_date_ || maybe_timestamp_) {
    // Shape only: an impossible day (2024-02-30) still counts, so the full pass reports it.
    int64_t v;
    const bool is_date = ParseDateText(text, DateOrder::kMonthFirst, &v) != DateParse::kNotADate ||
                         ParseDateText(text, DateOrder::kDayFirst, &v) != DateParse::kNotADate;
    const bool is_ts =
        is_date ||
        ParseTimestampText(text, DateOrder::kMonthFirst, false, &v) != DateParse::kNotADate ||
        ParseTimestampText(text, DateOrder::kDayFirst, false, &v) != DateParse::kNotADate;
    if (!is_date) maybe_date_ = false;
    if (!is_ts) maybe_timestamp_ = false;
    if (is_ts) ObserveDateOrder(text, &evidence_);
  }
  if (!distinct_overflow_) {
    if (distinct_.find(text) == distinct_.end())
      distinct_.emplace(text);  // no node built for a repeat
    if (distinct_.size() > kMaxCategories) {
      distinct_overflow_ = true;
      distinct_.clear();
    }
  }
}

DataType TypeGuesser::Result() const {
  if (observed_ == blank_) return DataType::kString;
  if (maybe_bool_) return DataType::kBool;
  if (maybe_int_) return DataType::kInt64;
  if (maybe_double_) return DataType::kDouble;
  const bool order_conflict = evidence_.first_over_12 && evidence_.second_over_12;
  if (maybe_date_ && !order_conflict) return DataType::kDate;
  if (maybe_timestamp_ && !order_conflict) return DataType::kTimestamp;
  if (!distinct_overflow_ && distinct_.size() * 2 <= observed_ - blank_)
    return DataType::kCategorical;
  return DataType::kString;
}

DataType WidenType(DataType a, DataType b) {
  if (a == b) return a;
  if (a == DataType::kString || b == DataType::kString) return DataType::kString;
  if ((a == DataType::kInt64 && b == DataType::kDouble) ||
      (a == DataType::kDouble && b == DataType::kInt64)) {
    return DataType::kDouble;
  }
  if ((a == DataType::kDate && b == DataType::kTimestamp) ||
      (a == DataType::kTimestamp && b == DataType::kDate)) {
    return DataType::kTimestamp;
  }
  return DataType::kString;
}

}  // namespace prospect::io
