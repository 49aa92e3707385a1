// Customer profiles (用户画像): one feature row per customer from customers, events and orders,
// computed as of an instant and never using later data. Definitions: docs/user/profile.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// Where the inputs are and what to compute: the [profile] section of prospect.toml. Every
/// table is optional; a plain transaction log (customer, time, amount) is enough.
struct ProfileConfig {
  std::string customers_table = "customers";
  std::string customer_id = "customer_id";    ///< id column in every input table
  std::string signup_column = "signup_date";  ///< in customers; tenure falls back to first activity

  std::string events_table = "events";
  std::string event_time = "timestamp";
  std::string event_type = "type";
  std::string event_item = "item_id";
  std::string event_value = "value";

  std::string orders_table = "orders";
  std::string order_id = "order_id";  ///< lines with the same id form one order (may be absent)
  std::string order_time = "order_date";
  std::string order_amount = "total";  ///< amount column, or empty to use quantity × price
  std::string order_quantity;
  std::string order_price;

  std::string items_table = "items";
  std::string item_id = "item_id";
  std::string item_category = "category";

  std::vector<int64_t> windows_days = {7, 30, 90, 365};
  bool include_attributes = true;  ///< append the customers table's other columns

  /// Reads [profile] (missing keys keep their defaults). Throws kInvalidData naming the key.
  static ProfileConfig FromJson(const nlohmann::json& section);
};

/// The tables a profile reads; absent ones are skipped with their features.
struct ProfileInputs {
  std::optional<Table> customers;
  std::optional<Table> events;
  std::optional<Table> orders;
  std::optional<Table> items;
  /// The event types that get per-type columns; nullopt = ProfileEventTypes(events). Set when
  /// profiling a slice of the events (one customer's, in the server) so that its columns are
  /// those of the whole table.
  std::optional<std::vector<std::string>> event_types;
};

/// The event types a profile of `events` makes columns for: the 20 most frequent values of the
/// type column, in alphabetical order; none without a type column. `distinct` (optional) gets
/// how many types occur.
std::vector<std::string> ProfileEventTypes(const Table& events, const ProfileConfig& config,
                                           size_t* distinct = nullptr);

/// One row per customer. `as_of` is an instant in µs since epoch: only rows with time < as_of
/// are used, and recency/windows are measured back from it.
Table BuildProfiles(const ProfileInputs& inputs, const ProfileConfig& config, int64_t as_of,
                    const Context& ctx, std::vector<std::string>* warnings = nullptr);

/// The default as-of instant: the end of the day of the latest event or order time.
int64_t DefaultAsOf(const ProfileInputs& inputs, const ProfileConfig& config);

}  // namespace prospect

namespace prospect {
class Store;

/// Loads the configured tables that exist in the store (absent ones stay empty).
ProfileInputs LoadProfileInputs(Store& store, const ProfileConfig& config, const Context& ctx);

/// Name of the stored profile table.
inline constexpr const char* kProfilesTable = "profiles";

/// What `prospect profile` asks for.
struct ProfileRequest {
  /// Use data before this instant (µs); empty = DefaultAsOf. An instant at or before the first
  /// event or order is refused with the data's date range (the profiles would have no history).
  std::optional<int64_t> as_of;
  /// A forward-looking label to add, e.g. "purchase:30d" (see ProfileLabel); empty = none.
  std::string label;
};

struct ProfileResult {
  Table profiles;
  int64_t as_of = 0;
  std::string label_column;  ///< empty without a label
  double label_rate = 0;     ///< share of customers with label 1
  std::vector<std::string> warnings;
};

/// Builds the profiles (and label) and stores them as table `profiles`, replacing it.
ProfileResult RunProfile(Store& store, const ProfileConfig& config, const ProfileRequest& request,
                         const Context& ctx);
}  // namespace prospect
