// Checking the audit log's hash chain (`prospect audit verify`).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "prospect/store/store.hpp"

namespace prospect {

struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_id = 0;  ///< the first entry where the chain breaks (0 when ok)
  std::string problem;       ///< why it breaks there, for people
  /// The last entry's hash. Kept somewhere else (a ticket, a second system), it lets a later
  /// verify (`expected_head`) show that no entry up to it was cut off the end or rewritten.
  std::string head;
  nlohmann::json ToJson() const;
};

/// Walks the audit log from the first entry: ids without gaps, each entry's prev_hash equal to
/// the hash of the entry before, and each hash equal to the entry's own AuditHash. With
/// `expected_head`, an entry with that hash must be in the log too.
AuditVerification VerifyAuditLog(Store& store, const std::string& expected_head = "");

}  // namespace prospect
