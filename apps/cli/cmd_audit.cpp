// prospect audit verify | list — the workspace's hash-chained audit log.
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/privacy/audit.hpp"

namespace prospect::cli {

void AddAuditCommands(CLI::App& app, Cli& cli) {
  CLI::App* audit = app.add_subcommand(
      "audit",
      "The audit log: every write, export, decryption and erasure, who did it and when, in a "
      "hash chain that shows any edited or deleted entry");
  audit->require_subcommand(1);

  auto head = std::make_shared<std::string>();
  CLI::App* verify = AddWorkspaceCommand(
      *audit, cli, "verify",
      "Check the audit log's hash chain from the first entry; exit code 3 (invalid data) names the "
      "first entry that was edited or deleted",
      R"(  prospect audit verify
  prospect audit verify --head 6f1c…e2          # also: the log still holds the head recorded then
  prospect audit verify --json | jq -r .head    # record the head somewhere else
)",
      [&cli, head](Workspace& ws, Context&) {
        const AuditVerification v = VerifyAuditLog(ws.store(), *head);
        if (cli.options.json) {
          cli.PrintJson(v.ToJson());
        } else if (v.ok) {
          std::cout << fmt::format("audit log ok: {} entries, head {}\n", v.entries,
                                   v.head.empty() ? "(none)" : v.head);
        }
        if (!v.ok) Fail(ErrorCode::kInvalidData, "audit log: {}", v.problem);
      });
  verify->add_option("--head", *head,
                     "a head hash printed by an earlier verify: it must still be in the log");

  struct ListFlags {
    std::string action;
    size_t last = 20;
  };
  auto lf = std::make_shared<ListFlags>();
  CLI::App* list = AddWorkspaceCommand(
      *audit, cli, "list", "Show the latest audit entries (who, what, when)",
      R"(  prospect audit list
  prospect audit list --action forget --last 100
  prospect audit list --json | jq '.entries[] | select(.actor == "cli:ana")'
)",
      [&cli, lf](Workspace& ws, Context&) {
        std::vector<AuditEntry> entries = ws.store().AuditLog();
        if (!lf->action.empty())
          std::erase_if(entries, [&](const AuditEntry& e) { return e.action != lf->action; });
        if (entries.size() > lf->last)
          entries.erase(entries.begin(), entries.end() - static_cast<ptrdiff_t>(lf->last));
        if (cli.options.json) {
          nlohmann::json doc = {{"entries", nlohmann::json::array()}};
          for (const AuditEntry& e : entries) doc["entries"].push_back(e.ToJson());
          cli.PrintJson(doc);
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const AuditEntry& e : entries) {
          rows.push_back({std::to_string(e.id), e.at, e.actor, e.action, e.detail});
        }
        cli.PrintTable({"id", "at (UTC)", "actor", "action", "detail"}, rows);
      });
  list->add_option("--action", lf->action, "only entries of this action (ingest, forget, …)");
  list->add_option("--last", lf->last, "how many of the latest entries (default 20)")
      ->check(CLI::PositiveNumber);
}

}  // namespace prospect::cli
