// Purchase history per customer and the forward-looking labels built from it.
#include "prospect/features/labels.hpp"

#include <algorithm>
#include <charconv>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

int64_t Micros(const Column& c, size_t r, const std::string& what) {
  if (c.type() == DataType::kDate) return c.ints()[r] * kMicrosPerDay;
  if (c.type() == DataType::kTimestamp) return c.ints()[r];
  Fail(ErrorCode::kInvalidData, "{} must be a date or timestamp column, but it is {}", what,
       DataTypeName(c.type()));
}

}  // namespace

std::string CustomerKey(const Column& ids, size_t row) { return ids.FormatValue(row); }

PurchaseHistory LoadPurchaseHistory(const ProfileInputs& inputs, const ProfileConfig& config,
                                    std::string_view who) {
  PurchaseHistory h;
  if (inputs.orders) {
    const Table& t = *inputs.orders;
    const Column& id = t.column(config.customer_id);
    const Column& when = t.column(config.order_time);
    const Column* amount = !config.order_amount.empty() && t.HasColumn(config.order_amount)
                               ? &t.column(config.order_amount)
                               : nullptr;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (id.IsNull(r) || when.IsNull(r)) continue;
      if (amount && !(amount->NumericAt(r) > 0)) continue;
      h.times[CustomerKey(id, r)].push_back(
          Micros(when, r, config.orders_table + "." + config.order_time));
    }
    h.source = config.orders_table;
  } else if (inputs.events) {
    const Table& t = *inputs.events;
    const Column& id = t.column(config.customer_id);
    const Column& when = t.column(config.event_time);
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (id.IsNull(r) || when.IsNull(r)) continue;
      h.times[CustomerKey(id, r)].push_back(
          Micros(when, r, config.events_table + "." + config.event_time));
    }
    h.source = config.events_table;
  } else {
    Fail(ErrorCode::kFailedPrecondition,
         "{} needs purchase history: ingest an orders table (or events) first, e.g. prospect "
         "ingest orders orders.csv",
         who);
  }
  return h;
}

ActivityRange FindActivityRange(const ProfileInputs& inputs, const ProfileConfig& config) {
  ActivityRange range{INT64_MAX, INT64_MIN};
  auto scan = [&](const std::optional<Table>& t, const std::string& name,
                  const std::string& column) {
    if (!t || !t->HasColumn(column)) return;
    const Column& c = t->column(column);
    for (size_t r = 0; r < c.size(); ++r) {
      if (c.IsNull(r)) continue;
      const int64_t v = Micros(c, r, name + "." + column);
      range.first = std::min(range.first, v);
      range.last = std::max(range.last, v);
    }
  };
  scan(inputs.events, config.events_table, config.event_time);
  scan(inputs.orders, config.orders_table, config.order_time);
  if (range.first > range.last) {
    Fail(ErrorCode::kFailedPrecondition,
         "no event or order times: ingest {} or {} with a date or timestamp column",
         config.events_table, config.orders_table);
  }
  return range;
}

std::string ProfileLabel::column() const { return fmt::format("purchased_{}d", days); }

ProfileLabel ProfileLabel::Parse(const std::string& spec) {
  const size_t colon = spec.find(':');
  ProfileLabel label;
  bool ok = colon != std::string::npos && spec.substr(0, colon) == "purchase";
  if (ok) {
    std::string_view n(spec);
    n.remove_prefix(colon + 1);
    if (!n.empty() && n.back() == 'd') n.remove_suffix(1);
    const auto r = std::from_chars(n.data(), n.data() + n.size(), label.days);
    ok = !n.empty() && r.ec == std::errc() && r.ptr == n.data() + n.size() && label.days >= 1 &&
         label.days <= 3660;
  }
  if (!ok) {
    Fail(ErrorCode::kInvalidArgument,
         "label {}: expected purchase:DAYSd, for example purchase:30d (bought in the 30 days after "
         "the as-of date)",
         QuoteForMessage(spec));
  }
  return label;
}

Table AddProfileLabel(const Table& profiles, const ProfileInputs& inputs,
                      const ProfileConfig& config, int64_t as_of, const ProfileLabel& label) {
  const ActivityRange range = FindActivityRange(inputs, config);
  const int64_t until = as_of + label.days * kMicrosPerDay;
  const int64_t data_end = (DayOfTimestamp(range.last) + 1) * kMicrosPerDay;  // end of the last day
  if (until > data_end) {
    Fail(ErrorCode::kFailedPrecondition,
         "label {}: its window runs from {} to {}, past the end of the data ({}), so customers who "
         "buy later would "
         "count as non-buyers. Possible fix: an as-of date of {} or earlier",
         label.column(), FormatDate(DayOfTimestamp(as_of)), FormatDate(DayOfTimestamp(until - 1)),
         FormatDate(DayOfTimestamp(range.last)),
         FormatDate(DayOfTimestamp(data_end - 1) - label.days));
  }
  const PurchaseHistory history = LoadPurchaseHistory(inputs, config, "label " + label.column());
  const Column& ids = profiles.column(config.customer_id);
  ColumnVector<uint8_t> bought(profiles.num_rows(), 0);
  for (size_t r = 0; r < profiles.num_rows(); ++r) {
    const auto it = history.times.find(CustomerKey(ids, r));
    if (it == history.times.end()) continue;
    bought[r] = std::any_of(it->second.begin(), it->second.end(),
                            [&](int64_t t) { return t >= as_of && t < until; });
  }
  return profiles.WithColumn(label.column(), Column::FromBools(bought));
}

}  // namespace prospect
