// Customer profile builder. One pass per input table: map each row to a dense customer index,
// drop rows at or after the as-of instant, and accumulate per-customer aggregates.
#include "prospect/features/profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/large_buffer.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxEventTypes = 20;
constexpr int32_t kNoCustomer = -1;

double Days(int64_t micros) {
  return static_cast<double>(micros) / static_cast<double>(kMicrosPerDay);
}

// Column `column` of table `t`, which must hold dates or timestamps; µs per stored unit.
const Column& TimeColumn(const Table& t, const std::string& table_name, const std::string& column,
                         int64_t* scale) {
  const Column& c = t.column(column);
  if (c.type() != DataType::kTimestamp && c.type() != DataType::kDate) {
    Fail(ErrorCode::kInvalidData,
         "profile: {}.{} is {}, expected a date or timestamp column (set [profile] keys or "
         "ingest with --type {}=timestamp)",
         table_name, column, DataTypeName(c.type()), column);
  }
  *scale = c.type() == DataType::kDate ? kMicrosPerDay : 1;
  return c;
}

// Times as µs since epoch; dates count from their midnight. Null → INT64_MIN.
LargeVector<int64_t> TimesOf(const Table& t, const std::string& table_name,
                             const std::string& column) {
  int64_t scale = 1;
  const Column& c = TimeColumn(t, table_name, column, &scale);
  LargeVector<int64_t> out(c.size());
  for (size_t i = 0; i < c.size(); ++i) out[i] = c.IsNull(i) ? INT64_MIN : c.ints()[i] * scale;
  return out;
}

LargeVector<double> NumbersOf(const Table& t, const std::string& table_name,
                              const std::string& column) {
  const Column& c = t.column(column);
  if (!IsNumeric(c.type()) && c.type() != DataType::kBool) {
    Fail(ErrorCode::kInvalidData, "profile: {}.{} is {}, expected a numeric column", table_name,
         column, DataTypeName(c.type()));
  }
  LargeVector<double> out(c.size());
  for (size_t i = 0; i < c.size(); ++i) out[i] = c.NumericAt(i);
  return out;
}

// Dense customer numbering. Integer ids use an integer map; anything else compares as text.
class CustomerIndex {
 public:
  explicit CustomerIndex(bool integer_ids) : integer_ids_(integer_ids) {}

  int32_t Find(const Column& c, size_t row) const {
    if (c.IsNull(row)) return kNoCustomer;
    if (integer_ids_) {
      if (!direct_.empty()) {
        const uint64_t offset =
            static_cast<uint64_t>(c.ints()[row]) - static_cast<uint64_t>(direct_low_);
        return offset < direct_.size() ? direct_[offset] : kNoCustomer;
      }
      auto it = ints_.find(c.ints()[row]);
      return it == ints_.end() ? kNoCustomer : it->second;
    }
    auto it = text_.find(c.FormatValue(row));
    return it == text_.end() ? kNoCustomer : it->second;
  }
  // For integer ids spanning a small range (as 1..N): a table lookup instead of hashing in Find.
  // Add invalidates it.
  void BuildDirectLookup() {
    if (!integer_ids_ || ints_.empty()) return;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& [id, index] : ints_) {
      lo = std::min(lo, id);
      hi = std::max(hi, id);
    }
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (range >= 4 * ints_.size() + 1024 || range >= (1u << 28)) return;
    direct_.assign(range + 1, kNoCustomer);
    direct_low_ = lo;
    for (const auto& [id, index] : ints_) direct_[static_cast<size_t>(id - lo)] = index;
  }
  // Adds the id if new; returns its index (kNoCustomer for null).
  int32_t Add(const Column& c, size_t row) {
    if (c.IsNull(row)) return kNoCustomer;
    direct_.clear();
    const int32_t next = static_cast<int32_t>(rows_.size());
    bool inserted;
    int32_t index;
    if (integer_ids_) {
      auto [it, ins] = ints_.emplace(c.ints()[row], next);
      inserted = ins;
      index = it->second;
    } else {
      auto [it, ins] = text_.emplace(c.FormatValue(row), next);
      inserted = ins;
      index = it->second;
    }
    if (inserted) rows_.push_back({&c, row});
    return index;
  }
  size_t size() const { return rows_.size(); }
  // The id column of the profile: ids in index order, typed like the first source.
  ColumnPtr IdColumn() const {
    if (integer_ids_) {
      ColumnVector<int64_t> ids(rows_.size());
      for (size_t i = 0; i < rows_.size(); ++i) ids[i] = rows_[i].column->ints()[rows_[i].row];
      return Column::FromInts(DataType::kInt64, std::move(ids));
    }
    ColumnBuilder b(DataType::kString);
    for (const auto& r : rows_) b.AppendString(r.column->FormatValue(r.row));
    return b.Finish();
  }

 private:
  struct Source {
    const Column* column;
    size_t row;
  };
  bool integer_ids_;
  std::unordered_map<int64_t, int32_t> ints_;
  std::unordered_map<std::string, int32_t> text_;
  std::vector<Source> rows_;
  std::vector<int32_t> direct_;  // id - direct_low_ → index, when built
  int64_t direct_low_ = 0;
};

// Dense integer codes 0..K-1 for key values (item ids, categories, order ids, event types), shared
// by every column encoded with one coder so equal values get equal codes. Integer columns compare
// as integers (through a direct table when their range is small), everything else as its text, so
// the per-row loops over millions of events never build a string or hash one for int keys.
class KeyCoder {
 public:
  /// integer_keys: every column to be encoded is kInt64 (else values compare by their text).
  explicit KeyCoder(bool integer_keys) : integer_keys_(integer_keys) {}

  /// One code per row; -1 for null.
  std::vector<int32_t> Encode(const Column& c) {
    std::vector<int32_t> out(c.size(), -1);
    if (integer_keys_) {
      const auto v = c.ints();
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      for (size_t r = 0; r < c.size(); ++r) {
        if (c.IsNull(r)) continue;
        lo = std::min(lo, v[r]);
        hi = std::max(hi, v[r]);
      }
      if (lo > hi) return out;
      const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
      if (range < std::max<uint64_t>(2 * c.size(), 1u << 16) && range < (1u << 26)) {
        std::vector<int32_t> direct(range + 1, -2);
        for (size_t r = 0; r < c.size(); ++r) {
          if (c.IsNull(r)) continue;
          int32_t& slot = direct[static_cast<size_t>(v[r] - lo)];
          if (slot == -2) slot = CodeOfInt(v[r]);
          out[r] = slot;
        }
      } else {
        for (size_t r = 0; r < c.size(); ++r) {
          if (!c.IsNull(r)) out[r] = CodeOfInt(v[r]);
        }
      }
    } else if (c.type() == DataType::kCategorical) {
      std::vector<int32_t> of_dictionary(c.dictionary().size());
      for (size_t i = 0; i < of_dictionary.size(); ++i)
        of_dictionary[i] = CodeOfText(c.dictionary()[i]);
      const auto codes = c.codes();
      for (size_t r = 0; r < c.size(); ++r) {
        if (codes[r] >= 0 && !c.IsNull(r)) out[r] = of_dictionary[static_cast<size_t>(codes[r])];
      }
    } else {
      const bool text = IsStringLike(c.type());
      for (size_t r = 0; r < c.size(); ++r) {
        if (!c.IsNull(r)) out[r] = CodeOfText(text ? std::string(c.StringAt(r)) : c.FormatValue(r));
      }
    }
    return out;
  }
  size_t size() const { return names_.size(); }
  /// The value of each code as text (integers in decimal).
  const std::vector<std::string>& names() const { return names_; }

 private:
  int32_t CodeOfInt(int64_t v) {
    auto [it, inserted] = ints_.emplace(v, static_cast<int32_t>(names_.size()));
    if (inserted) names_.push_back(std::to_string(v));
    return it->second;
  }
  int32_t CodeOfText(std::string v) {
    auto [it, inserted] = text_.emplace(v, static_cast<int32_t>(names_.size()));
    if (inserted) names_.push_back(std::move(v));
    return it->second;
  }
  bool integer_keys_;
  std::unordered_map<int64_t, int32_t> ints_;
  std::unordered_map<std::string, int32_t> text_;
  std::vector<std::string> names_;
};

std::string ColumnNameFor(std::string_view text) {
  std::string out;
  for (char c : ToLower(text)) out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out.empty() ? "blank" : out;
}

// Output columns, built in order.
class FeatureSink {
 public:
  explicit FeatureSink(size_t n) : n_(n) {}
  void AddDouble(const std::string& name, const std::vector<double>& computed) {
    ColumnVector<double> values(computed.begin(), computed.end());
    ColumnVector<uint8_t> valid(n_, 1);
    bool any_null = false;
    for (size_t i = 0; i < n_; ++i) {
      if (std::isnan(values[i])) {
        valid[i] = 0;
        values[i] = 0;
        any_null = true;
      }
    }
    Add(name, Column::FromDoubles(std::move(values),
                                  any_null ? std::move(valid) : ColumnVector<uint8_t>{}));
  }
  void AddCount(const std::string& name, const std::vector<int64_t>& values) {
    Add(name,
        Column::FromInts(DataType::kInt64, ColumnVector<int64_t>(values.begin(), values.end())));
  }
  void Add(const std::string& name, ColumnPtr column) {
    std::string unique = name;
    for (int k = 2; used_names_.count(unique); ++k) unique = name + "_" + std::to_string(k);
    used_names_.emplace(unique, 1);
    fields_.push_back({unique, column->type()});
    columns_.push_back(std::move(column));
  }
  Table Finish() { return Table(Schema(std::move(fields_)), std::move(columns_)); }

 private:
  size_t n_;
  std::vector<Field> fields_;
  std::vector<ColumnPtr> columns_;
  std::unordered_map<std::string, int> used_names_;
};

bool IsIntegerId(const Table* t, const std::string& column) {
  if (!t || !t->HasColumn(column)) return true;
  return t->column(column).type() == DataType::kInt64;
}

}  // namespace

ProfileConfig ProfileConfig::FromJson(const nlohmann::json& s) {
  ProfileConfig c;
  if (!s.is_object()) return c;
  auto str = [&](const char* key, std::string& target) {
    if (!s.contains(key)) return;
    if (!s[key].is_string())
      Fail(ErrorCode::kInvalidData, "prospect.toml [profile] {}: expected a string, found {}", key,
           s[key].dump());
    target = s[key].get<std::string>();
  };
  static const std::vector<std::string> kKeys = {
      "customers_table", "customer_id",   "signup_column",  "events_table",      "event_time",
      "event_type",      "event_item",    "event_value",    "orders_table",      "order_id",
      "order_time",      "order_amount",  "order_quantity", "order_price",       "items_table",
      "item_id",         "item_category", "windows_days",   "include_attributes"};
  for (const auto& [key, value] : s.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      Fail(ErrorCode::kInvalidData,
           "prospect.toml [profile]: unknown key \"{}\". {}Valid keys: {}.", key,
           DidYouMean(key, kKeys), Join(kKeys, ", "));
    }
  }
  str("customers_table", c.customers_table);
  str("customer_id", c.customer_id);
  str("signup_column", c.signup_column);
  str("events_table", c.events_table);
  str("event_time", c.event_time);
  str("event_type", c.event_type);
  str("event_item", c.event_item);
  str("event_value", c.event_value);
  str("orders_table", c.orders_table);
  str("order_id", c.order_id);
  str("order_time", c.order_time);
  str("order_amount", c.order_amount);
  str("order_quantity", c.order_quantity);
  str("order_price", c.order_price);
  str("items_table", c.items_table);
  str("item_id", c.item_id);
  str("item_category", c.item_category);
  if (s.contains("windows_days")) {
    c.windows_days.clear();
    for (const auto& w : s["windows_days"]) {
      if (!w.is_number_integer() || w.get<int64_t>() < 1) {
        Fail(ErrorCode::kInvalidData,
             "prospect.toml [profile] windows_days: expected positive whole days, found {}",
             w.dump());
      }
      c.windows_days.push_back(w.get<int64_t>());
    }
  }
  if (s.contains("include_attributes")) c.include_attributes = s["include_attributes"].get<bool>();
  return c;
}

std::vector<std::string> ProfileEventTypes(const Table& events, const ProfileConfig& config,
                                           size_t* distinct) {
  if (distinct) *distinct = 0;
  if (!events.HasColumn(config.event_type)) return {};
  KeyCoder coder(false);
  const std::vector<int32_t> codes = coder.Encode(events.column(config.event_type));
  std::vector<int64_t> counts(coder.size(), 0);
  for (int32_t code : codes) {
    if (code >= 0) ++counts[static_cast<size_t>(code)];
  }
  std::vector<std::pair<int64_t, std::string>> ranked;  // (count, name) of the types that occur
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] > 0) ranked.emplace_back(counts[k], coder.names()[k]);
  }
  if (distinct) *distinct = ranked.size();
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() > kMaxEventTypes) ranked.resize(kMaxEventTypes);
  std::vector<std::string> names;
  for (auto& [count, name] : ranked) names.push_back(std::move(name));
  std::sort(names.begin(), names.end());  // stable column order: alphabetical
  return names;
}

int64_t DefaultAsOf(const ProfileInputs& in, const ProfileConfig& config) {
  int64_t latest = INT64_MIN;
  auto scan = [&](const std::optional<Table>& t, const std::string& name,
                  const std::string& column) {
    if (!t || !t->HasColumn(column)) return;
    int64_t scale = 1;
    const Column& c = TimeColumn(*t, name, column, &scale);
    for (size_t i = 0; i < c.size(); ++i) {
      if (!c.IsNull(i)) latest = std::max(latest, c.ints()[i] * scale);
    }
  };
  scan(in.events, config.events_table, config.event_time);
  scan(in.orders, config.orders_table, config.order_time);
  if (latest == INT64_MIN) {
    Fail(ErrorCode::kFailedPrecondition,
         "profile: no event or order times to take the as-of date from; pass --as-of DATE");
  }
  return (DayOfTimestamp(latest) + 1) * kMicrosPerDay;
}

Table BuildProfiles(const ProfileInputs& in, const ProfileConfig& config, int64_t as_of,
                    const Context& ctx, std::vector<std::string>* warnings) {
  auto warn = [&](std::string text) {
    ctx.logger().warn("{}", text);
    if (warnings) warnings->push_back(std::move(text));
  };
  const Table* customers = in.customers ? &*in.customers : nullptr;
  const Table* events = in.events ? &*in.events : nullptr;
  const Table* orders = in.orders ? &*in.orders : nullptr;
  if (!customers && !events && !orders) {
    Fail(ErrorCode::kFailedPrecondition,
         "profile: no input tables: ingest {}, {} or {} (or name them in [profile])",
         config.customers_table, config.events_table, config.orders_table);
  }
  const bool integer_ids = IsIntegerId(customers, config.customer_id) &&
                           IsIntegerId(events, config.customer_id) &&
                           IsIntegerId(orders, config.customer_id);
  CustomerIndex index(integer_ids);

  // 1. The population: customers who exist at the as-of instant, else everyone active before it.
  std::vector<size_t> customer_rows;  // row in customers for each index, when it comes from there
  std::vector<int64_t> signup;
  if (customers) {
    const Column& id = customers->column(config.customer_id);
    LargeVector<int64_t> signup_times;
    if (customers->HasColumn(config.signup_column)) {
      signup_times = TimesOf(*customers, config.customers_table, config.signup_column);
    }
    for (size_t r = 0; r < customers->num_rows(); ++r) {
      if (!signup_times.empty() && signup_times[r] != INT64_MIN && signup_times[r] >= as_of)
        continue;
      const size_t before = index.size();
      index.Add(id, r);
      if (index.size() > before) {
        customer_rows.push_back(r);
        signup.push_back(signup_times.empty() ? INT64_MIN : signup_times[r]);
      }
    }
  }
  const bool closed_population = customers != nullptr;
  if (closed_population) index.BuildDirectLookup();

  // Maps a table's rows to customer indexes (kNoCustomer: unknown, null or not before as_of).
  auto map_rows = [&](const Table& t, const std::string& table_name,
                      const LargeVector<int64_t>& times) {
    const Column& id = t.column(config.customer_id);
    std::vector<int32_t> idx(t.num_rows(), kNoCustomer);
    size_t null_ids = 0, unknown = 0;
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (times[r] == INT64_MIN || times[r] >= as_of) continue;
      if (id.IsNull(r)) {
        ++null_ids;
        continue;
      }
      idx[r] = closed_population ? index.Find(id, r) : index.Add(id, r);
      if (idx[r] == kNoCustomer) ++unknown;
    }
    if (null_ids)
      warn(fmt::format("profile: {} rows of {} have no {} and were skipped", null_ids, table_name,
                       config.customer_id));
    if (unknown) {
      warn(
          fmt::format("profile: {} rows of {} belong to customers not in {} (or signed up after "
                      "the as-of date) and "
                      "were skipped",
                      unknown, table_name, config.customers_table));
    }
    return idx;
  };

  // 2. Orders: group lines into orders, then per-customer order lists.
  struct Order {
    int32_t customer;
    int64_t time;
    double amount;
  };
  std::vector<Order> order_list;
  if (orders) {
    const LargeVector<int64_t> times = TimesOf(*orders, config.orders_table, config.order_time);
    LargeVector<double> amounts;
    if (!config.order_amount.empty()) {
      amounts = NumbersOf(*orders, config.orders_table, config.order_amount);
    } else {
      if (config.order_quantity.empty() || config.order_price.empty()) {
        Fail(ErrorCode::kInvalidData,
             "prospect.toml [profile]: set order_amount, or both order_quantity and order_price");
      }
      const auto q = NumbersOf(*orders, config.orders_table, config.order_quantity);
      const auto p = NumbersOf(*orders, config.orders_table, config.order_price);
      amounts.resize(q.size());
      for (size_t i = 0; i < q.size(); ++i) amounts[i] = q[i] * p[i];
    }
    const std::vector<int32_t> idx = map_rows(*orders, config.orders_table, times);
    const bool has_order_id = !config.order_id.empty() && orders->HasColumn(config.order_id);
    std::vector<int32_t> order_code;  // dense code of each row's order id (-1: none)
    std::vector<int64_t> order_slot;  // code → position in order_list (-1: not seen yet)
    if (has_order_id) {
      const Column& oc = orders->column(config.order_id);
      KeyCoder coder(oc.type() == DataType::kInt64);
      order_code = coder.Encode(oc);
      order_slot.assign(coder.size(), -1);
    }
    order_list.reserve(orders->num_rows());
    for (size_t r = 0; r < orders->num_rows(); ++r) {
      if (idx[r] == kNoCustomer) continue;
      const double amount = std::isnan(amounts[r]) ? 0.0 : amounts[r];
      if (has_order_id && order_code[r] >= 0) {
        int64_t& slot = order_slot[static_cast<size_t>(order_code[r])];
        if (slot >= 0) {
          Order& o = order_list[static_cast<size_t>(slot)];
          o.amount += amount;
          o.time = std::min(o.time, times[r]);
          continue;
        }
        slot = static_cast<int64_t>(order_list.size());
      }
      order_list.push_back({idx[r], times[r], amount});
    }
  }

  // 3. Events: resolve types once over the whole table so columns do not depend on as_of.
  std::vector<std::string> type_names;
  std::vector<int32_t> event_idx, event_type;
  LargeVector<int64_t> event_times;
  LargeVector<double> event_values;
  if (events) {
    event_times = TimesOf(*events, config.events_table, config.event_time);
    event_idx = map_rows(*events, config.events_table, event_times);
    event_type.assign(events->num_rows(), -1);
    if (events->HasColumn(config.event_type)) {
      if (in.event_types) {
        type_names = *in.event_types;
      } else {
        size_t distinct = 0;
        type_names = ProfileEventTypes(*events, config, &distinct);
        if (distinct > type_names.size()) {
          warn(fmt::format("profile: {} has {} event types; features cover the {} most frequent",
                           config.events_table, distinct, kMaxEventTypes));
        }
      }
      const Column& tc = events->column(config.event_type);
      KeyCoder coder(false);
      const std::vector<int32_t> codes = coder.Encode(tc);
      std::vector<int32_t> type_of_code(coder.size(), -1);
      for (size_t k = 0; k < coder.size(); ++k) {
        const auto it = std::find(type_names.begin(), type_names.end(), coder.names()[k]);
        if (it != type_names.end()) type_of_code[k] = static_cast<int32_t>(it - type_names.begin());
      }
      for (size_t r = 0; r < codes.size(); ++r) {
        if (codes[r] >= 0) event_type[r] = type_of_code[static_cast<size_t>(codes[r])];
      }
    }
    if (events->HasColumn(config.event_value))
      event_values = NumbersOf(*events, config.events_table, config.event_value);
  }

  const size_t n = index.size();
  ctx.Progress("profile", 1, 3);

  // 4. Order features.
  FeatureSink out(n);
  out.Add(config.customer_id, index.IdColumn());
  std::vector<double> first_activity(n, kNaN);
  auto note_activity = [&](int32_t c, int64_t t) {
    const double d = Days(as_of - t);
    if (std::isnan(first_activity[c]) || d > first_activity[c]) first_activity[c] = d;
  };
  if (orders) {
    // Orders grouped by customer (counting sort), each customer's in time order.
    std::vector<size_t> start(n + 1, 0);
    for (const Order& o : order_list) ++start[static_cast<size_t>(o.customer) + 1];
    for (size_t c = 0; c < n; ++c) start[c + 1] += start[c];
    std::vector<std::pair<int64_t, double>> grouped(order_list.size());
    {
      std::vector<size_t> next(start.begin(), start.end() - 1);
      for (const Order& o : order_list)
        grouped[next[static_cast<size_t>(o.customer)]++] = {o.time, o.amount};
    }
    std::vector<double> recency(n, kNaN), monetary(n, 0), aov(n, kNaN), ipt_mean(n, kNaN),
        ipt_std(n, kNaN), refund_amount(n, 0);
    std::vector<int64_t> frequency(n, 0), refunds(n, 0);
    std::vector<std::vector<int64_t>> win_count(config.windows_days.size(),
                                                std::vector<int64_t>(n, 0));
    std::vector<std::vector<double>> win_amount(config.windows_days.size(),
                                                std::vector<double>(n, 0));
    std::vector<int64_t> purchase_times;
    for (size_t c = 0; c < n; ++c) {
      const std::span<std::pair<int64_t, double>> list(grouped.data() + start[c],
                                                       start[c + 1] - start[c]);
      if (!std::is_sorted(list.begin(), list.end())) std::sort(list.begin(), list.end());
      purchase_times.clear();
      double positive = 0;
      for (const auto& [t, amount] : list) {
        note_activity(static_cast<int32_t>(c), t);
        monetary[c] += amount;
        if (amount > 0) {
          purchase_times.push_back(t);
          positive += amount;
        } else if (amount < 0) {
          ++refunds[c];
          refund_amount[c] += -amount;
        }
        for (size_t w = 0; w < config.windows_days.size(); ++w) {
          if (t >= as_of - config.windows_days[w] * kMicrosPerDay) {
            win_count[w][c] += amount > 0;
            win_amount[w][c] += amount;
          }
        }
      }
      frequency[c] = static_cast<int64_t>(purchase_times.size());
      if (!purchase_times.empty()) {
        recency[c] = Days(as_of - purchase_times.back());
        aov[c] = positive / static_cast<double>(purchase_times.size());
      }
      if (purchase_times.size() >= 2) {
        const size_t gaps = purchase_times.size() - 1;
        double sum = 0;
        for (size_t i = 1; i < purchase_times.size(); ++i)
          sum += Days(purchase_times[i] - purchase_times[i - 1]);
        ipt_mean[c] = sum / static_cast<double>(gaps);
        if (gaps >= 2) {
          double ss = 0;
          for (size_t i = 1; i < purchase_times.size(); ++i) {
            const double g = Days(purchase_times[i] - purchase_times[i - 1]) - ipt_mean[c];
            ss += g * g;
          }
          ipt_std[c] = std::sqrt(ss / static_cast<double>(gaps - 1));
        }
      }
    }
    out.AddDouble("recency_days", std::move(recency));
    out.AddCount("frequency", std::move(frequency));
    out.AddDouble("monetary", std::move(monetary));
    out.AddDouble("avg_order_value", std::move(aov));
    out.AddDouble("interpurchase_days_mean", std::move(ipt_mean));
    out.AddDouble("interpurchase_days_std", std::move(ipt_std));
    out.AddCount("refunds", std::move(refunds));
    out.AddDouble("refund_amount", std::move(refund_amount));
    for (size_t w = 0; w < config.windows_days.size(); ++w) {
      const std::string suffix = fmt::format("_{}d", config.windows_days[w]);
      out.AddCount("orders" + suffix, std::move(win_count[w]));
      out.AddDouble("order_amount" + suffix, std::move(win_amount[w]));
    }
  }
  ctx.Progress("profile", 2, 3);

  // 5. Event features.
  if (events) {
    const size_t types = type_names.size();
    const size_t windows = config.windows_days.size();
    std::vector<int64_t> counts(types * windows * n, 0), total(n, 0), last30(n, 0), prev30(n, 0);
    std::vector<double> values(event_values.empty() ? 0 : types * windows * n, 0.0);
    std::vector<int64_t> last_of_type(types * n, INT64_MIN);
    const Column* item_col =
        events->HasColumn(config.event_item) ? &events->column(config.event_item) : nullptr;
    for (size_t r = 0; r < events->num_rows(); ++r) {
      const int32_t c = event_idx[r];
      if (c == kNoCustomer) continue;
      const size_t cu = static_cast<size_t>(c);
      const int64_t t = event_times[r];
      note_activity(c, t);
      ++total[cu];
      if (t >= as_of - 30 * kMicrosPerDay) {
        ++last30[cu];
      } else if (t >= as_of - 60 * kMicrosPerDay) {
        ++prev30[cu];
      }
      const int32_t type = event_type[r];
      if (type < 0) continue;
      const size_t tt = static_cast<size_t>(type);
      last_of_type[tt * n + cu] = std::max(last_of_type[tt * n + cu], t);
      for (size_t w = 0; w < windows; ++w) {
        if (t < as_of - config.windows_days[w] * kMicrosPerDay) continue;
        const size_t k = (tt * windows + w) * n + cu;
        ++counts[k];
        if (!values.empty() && !std::isnan(event_values[r])) values[k] += event_values[r];
      }
    }
    out.AddCount("events_total", std::move(total));
    for (size_t tt = 0; tt < types; ++tt) {
      const std::string type = ColumnNameFor(type_names[tt]);
      for (size_t w = 0; w < windows; ++w) {
        const std::string suffix = fmt::format("_{}d", config.windows_days[w]);
        const size_t base = (tt * windows + w) * n;
        out.AddCount(type + "_count" + suffix,
                     std::vector<int64_t>(counts.begin() + static_cast<std::ptrdiff_t>(base),
                                          counts.begin() + static_cast<std::ptrdiff_t>(base + n)));
        if (!values.empty()) {
          out.AddDouble(
              type + "_value" + suffix,
              std::vector<double>(values.begin() + static_cast<std::ptrdiff_t>(base),
                                  values.begin() + static_cast<std::ptrdiff_t>(base + n)));
        }
      }
      std::vector<double> since(n, kNaN);
      for (size_t c = 0; c < n; ++c) {
        if (last_of_type[tt * n + c] != INT64_MIN)
          since[c] = Days(as_of - last_of_type[tt * n + c]);
      }
      out.AddDouble("days_since_" + type, std::move(since));
    }
    std::vector<double> trend(n);
    for (size_t c = 0; c < n; ++c) {
      trend[c] = (static_cast<double>(last30[c]) + 1.0) / (static_cast<double>(prev30[c]) + 1.0);
    }
    out.AddDouble("trend_30d", std::move(trend));
    if (item_col) {
      // Distinct items (and their categories) per customer: item ids and categories as dense codes
      // (one coder for the events' and the catalogue's item ids), events grouped by customer with a
      // counting sort, then a "last customer seen" stamp per item and per category.
      const bool has_categories = in.items && in.items->HasColumn(config.item_id) &&
                                  in.items->HasColumn(config.item_category);
      KeyCoder item_coder(
          item_col->type() == DataType::kInt64 &&
          (!has_categories || in.items->column(config.item_id).type() == DataType::kInt64));
      const std::vector<int32_t> item_code = item_coder.Encode(*item_col);
      std::vector<int32_t> category_of;  // item code → category code (-1: none)
      size_t category_count = 0;
      if (has_categories) {
        const Table& it = *in.items;
        const std::vector<int32_t> catalogue_item = item_coder.Encode(it.column(config.item_id));
        KeyCoder category_coder(it.column(config.item_category).type() == DataType::kInt64);
        const std::vector<int32_t> category =
            category_coder.Encode(it.column(config.item_category));
        category_count = category_coder.size();
        category_of.assign(item_coder.size(), -1);
        for (size_t r = 0; r < it.num_rows(); ++r) {
          if (catalogue_item[r] < 0 || category[r] < 0) continue;
          int32_t& slot = category_of[static_cast<size_t>(catalogue_item[r])];
          if (slot < 0) slot = category[r];  // the first catalogue row of an item wins
        }
      }
      std::vector<size_t> first(n + 1, 0);
      for (size_t r = 0; r < item_code.size(); ++r) {
        if (event_idx[r] != kNoCustomer && item_code[r] >= 0)
          ++first[static_cast<size_t>(event_idx[r]) + 1];
      }
      for (size_t c = 0; c < n; ++c) first[c + 1] += first[c];
      std::vector<int32_t> by_customer(first[n]);
      {
        std::vector<size_t> next(first.begin(), first.end() - 1);
        for (size_t r = 0; r < item_code.size(); ++r) {
          if (event_idx[r] != kNoCustomer && item_code[r] >= 0) {
            by_customer[next[static_cast<size_t>(event_idx[r])]++] = item_code[r];
          }
        }
      }
      std::vector<int32_t> item_seen(item_coder.size(), -1), category_seen(category_count, -1);
      std::vector<int64_t> distinct_items(n, 0), distinct_categories(n, 0);
      for (size_t c = 0; c < n; ++c) {
        const int32_t stamp = static_cast<int32_t>(c);
        for (size_t k = first[c]; k < first[c + 1]; ++k) {
          const auto item = static_cast<size_t>(by_customer[k]);
          if (item_seen[item] == stamp) continue;
          item_seen[item] = stamp;
          ++distinct_items[c];
          if (!has_categories || category_of[item] < 0) continue;
          const auto cat = static_cast<size_t>(category_of[item]);
          if (category_seen[cat] != stamp) {
            category_seen[cat] = stamp;
            ++distinct_categories[c];
          }
        }
      }
      out.AddCount("distinct_items", std::move(distinct_items));
      if (has_categories) out.AddCount("distinct_categories", std::move(distinct_categories));
    }
  }

  // 6. Tenure, then the customer's own attributes.
  std::vector<double> tenure(n, kNaN);
  for (size_t c = 0; c < n; ++c) {
    tenure[c] =
        c < signup.size() && signup[c] != INT64_MIN ? Days(as_of - signup[c]) : first_activity[c];
  }
  out.AddDouble("tenure_days", std::move(tenure));
  if (customers && config.include_attributes) {
    for (size_t i = 0; i < customers->num_columns(); ++i) {
      const std::string& name = customers->schema().field(i).name;
      if (name == config.customer_id) continue;
      out.Add(name, customers->column(i)->Take(customer_rows));
    }
  }
  ctx.Progress("profile", 3, 3);
  return out.Finish();
}

}  // namespace prospect

#include "prospect/features/labels.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

ProfileResult RunProfile(Store& store, const ProfileConfig& config, const ProfileRequest& request,
                         const Context& ctx) {
  std::optional<ProfileLabel> label;
  if (!request.label.empty()) label = ProfileLabel::Parse(request.label);
  const ProfileInputs inputs = LoadProfileInputs(store, config, ctx);
  ProfileResult out;
  out.as_of = request.as_of ? *request.as_of : DefaultAsOf(inputs, config);
  if (request.as_of && (inputs.events || inputs.orders)) {
    const ActivityRange range = FindActivityRange(inputs, config);
    if (out.as_of <= range.first) {
      Fail(ErrorCode::kInvalidArgument,
           "as-of {} is before all of the data (events and orders run from {} to {}), so every "
           "profile would be "
           "empty. Possible fix: an as-of date from {} on",
           FormatDate(DayOfTimestamp(out.as_of) - 1), FormatDate(DayOfTimestamp(range.first)),
           FormatDate(DayOfTimestamp(range.last)), FormatDate(DayOfTimestamp(range.first)));
    }
  }
  out.profiles = BuildProfiles(inputs, config, out.as_of, ctx, &out.warnings);
  if (out.profiles.num_rows() == 0) {
    Fail(ErrorCode::kFailedPrecondition,
         "no customer has data before {}; the profiles table was left as it was",
         FormatTimestamp(out.as_of));
  }
  if (label) {
    out.profiles = AddProfileLabel(out.profiles, inputs, config, out.as_of, *label);
    out.label_column = label->column();
    const Column& y = out.profiles.column(out.label_column);
    size_t ones = 0;
    for (size_t r = 0; r < y.size(); ++r) ones += y.bools()[r];
    out.label_rate = static_cast<double>(ones) / static_cast<double>(y.size());
  }
  store.WriteTable(kProfilesTable, out.profiles, {}, ctx);
  return out;
}

ProfileInputs LoadProfileInputs(Store& store, const ProfileConfig& config, const Context& ctx) {
  ProfileInputs in;
  auto load = [&](const std::string& name, std::optional<Table>& target) {
    if (!name.empty() && store.FindTable(name)) target = store.LoadTable(name, ctx);
  };
  // The customers' attributes without what identifies them (e-mail, phone, names, declared PII):
  // those are not features, and each derived copy would be one more place to leak and to erase.
  if (const auto customers =
          config.customers_table.empty() ? std::nullopt : store.FindTable(config.customers_table)) {
    const auto pii = FindPiiDeclaration(store, customers->name);
    std::vector<std::string> columns;
    for (const Field& f : customers->schema.fields()) {
      if (f.name == config.customer_id || !IsPersonalColumn(f.name, pii ? &*pii : nullptr))
        columns.push_back(f.name);
    }
    in.customers = store.LoadTable(customers->name, columns, ctx);
  }
  load(config.events_table, in.events);
  load(config.orders_table, in.orders);
  load(config.items_table, in.items);
  return in;
}

}  // namespace prospect
