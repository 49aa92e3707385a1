// The audit log's hash chain, walked (see audit.hpp).
#include "prospect/privacy/audit.hpp"

#include <fmt/format.h>

namespace prospect {

nlohmann::json AuditVerification::ToJson() const {
  return {{"ok", ok},
          {"entries", entries},
          {"first_bad_id", first_bad_id == 0 ? nlohmann::json() : nlohmann::json(first_bad_id)},
          {"problem", problem},
          {"head", head}};
}

AuditVerification VerifyAuditLog(Store& store, const std::string& expected_head) {
  AuditVerification out;
  const std::vector<AuditEntry> log = store.AuditLog();
  out.entries = static_cast<int64_t>(log.size());
  auto broken = [&](int64_t id, std::string problem) {
    out.ok = false;
    out.first_bad_id = id;
    out.problem = std::move(problem);
    return out;
  };
  bool head_found = expected_head.empty();
  for (size_t i = 0; i < log.size(); ++i) {
    const AuditEntry& e = log[i];
    const auto expected_id = static_cast<int64_t>(i) + 1;
    if (e.id != expected_id) {
      return broken(expected_id, fmt::format("entry {} is missing (the next entry is {}): deleted",
                                             expected_id, e.id));
    }
    const std::string& prev = i == 0 ? std::string() : log[i - 1].hash;
    if (e.prev_hash != prev) {
      return broken(e.id,
                    fmt::format("entry {} does not follow entry {}: its prev_hash is not that "
                                "entry's hash, so an entry was replaced",
                                e.id, e.id - 1));
    }
    if (AuditHash(e) != e.hash) {
      return broken(e.id, fmt::format("entry {} ({} at {}) does not match its hash: it was edited",
                                      e.id, e.action, e.at));
    }
    head_found = head_found || e.hash == expected_head;
  }
  out.head = log.empty() ? "" : log.back().hash;
  if (!head_found) {
    return broken(out.entries + 1,
                  fmt::format("no entry has the head hash {} recorded earlier: entries were cut "
                              "off the end or rewritten",
                              expected_head));
  }
  return out;
}

}  // namespace prospect
