// Point-in-time labels for customer profiles: who bought within N days after the as-of instant
// (a "who will buy" target), from the same purchase history that churn labels use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prospect/features/profile.hpp"

namespace prospect {

/// Purchase instants (µs since epoch) per customer key: orders with a positive amount (every
/// order when there is no amount column), else events when there are no orders.
struct PurchaseHistory {
  std::unordered_map<std::string, std::vector<int64_t>> times;
  std::string source;  ///< the table the purchases came from
};

/// Throws kFailedPrecondition, saying that `who` ("churn") needs them, when there are neither
/// orders nor events.
PurchaseHistory LoadPurchaseHistory(const ProfileInputs& inputs, const ProfileConfig& config,
                                    std::string_view who);

/// A customer id cell as the key PurchaseHistory uses (text as it is, numbers formatted).
std::string CustomerKey(const Column& ids, size_t row);

/// First and last event or order instant (µs); throws kFailedPrecondition when there is none.
struct ActivityRange {
  int64_t first = 0;
  int64_t last = 0;
};
ActivityRange FindActivityRange(const ProfileInputs& inputs, const ProfileConfig& config);

/// A forward-looking label: "purchase:30d" = 1 when the customer bought in the 30 days from the
/// as-of instant on (as-of ≤ t < as-of + 30 days), else 0.
struct ProfileLabel {
  std::string kind = "purchase";
  int64_t days = 30;
  /// The label's column name, e.g. "purchased_30d".
  std::string column() const;
  /// Parses "purchase:30d" (or "purchase:30"); throws kInvalidArgument with the accepted forms.
  static ProfileLabel Parse(const std::string& spec);
};

/// `profiles` (built as of `as_of`) with the label column added. The label window must end by the
/// end of the data, or customers who bought after it would look like non-buyers: otherwise
/// throws kFailedPrecondition naming the latest as-of date that works.
Table AddProfileLabel(const Table& profiles, const ProfileInputs& inputs,
                      const ProfileConfig& config, int64_t as_of, const ProfileLabel& label);

}  // namespace prospect
