// Online features: the inputs of the customers' profiles (customers, events, orders, items) held
// in memory by customer, so that a customer's profile row is recomputed from newly posted events
// by BuildProfiles itself, with the whole table's event types, as `prospect profile` would
// compute it over the same data. The as-of instant is the profile's default: the end of the day
// of the latest event or order seen.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "prospect/features/profile.hpp"
#include "prospect/store/store.hpp"

namespace prospect::serve {

class OnlineProfiles {
 public:
  /// Loads the [profile] input tables that exist. kFailedPrecondition without an events table.
  static std::unique_ptr<OnlineProfiles> Load(Store& store, const ProfileConfig& config,
                                              const Context& ctx);

  /// Posted events (JSON objects keyed by the events table's columns) as a table of that
  /// table's schema. The customer id and the time are required; other columns may be absent
  /// (null). Times are "YYYY-MM-DD HH:MM:SS[.ffffff]" (a 'T' and a trailing 'Z' allowed) or a
  /// date. kInvalidArgument naming events[i].column, the value and what was expected.
  Table EventsFromJson(const nlohmann::json& events) const;

  struct Update {
    std::string customer_id;
    std::optional<Table> profile;  ///< one row; nullopt when the customer is not profiled (not
                                   ///< in the customers table, as `prospect profile` skips them)
  };
  /// Adds `events` (EventsFromJson's table) and recomputes the profile of each customer in it.
  /// Thread-safe (calls are serialised).
  std::vector<Update> Add(const Table& events, const Context& ctx);

  const ProfileConfig& config() const { return config_; }
  /// The instant the recomputed profiles are as of (µs).
  int64_t as_of() const;

 private:
  using RowsById = std::unordered_map<std::string, std::vector<size_t>>;
  ProfileConfig config_;
  ProfileInputs inputs_;  ///< as loaded; event_types fixed at load
  RowsById customer_rows_, event_rows_, order_rows_;
  std::unordered_map<std::string, std::vector<Table>> posted_;  ///< events added since load
  int64_t as_of_ = 0;
  mutable std::mutex mu_;
};

}  // namespace prospect::serve
