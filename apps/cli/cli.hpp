// Shared plumbing of the `prospect` commands: global options, Context and workspace set-up, and
// output (human tables on stdout, or exactly one JSON document with --json).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::cli {

/// Options every command takes.
struct GlobalOptions {
  std::string workspace;  ///< --workspace; default $PROSPECT_WORKSPACE, else "."
  bool json = false;
  int threads = 0;
  uint64_t seed = kDefaultSeed;
  bool quiet = false;
};

class Cli {
 public:
  GlobalOptions options;
  /// What main returns when the command succeeds: 0, or a command's documented outcome code
  /// (retrain: 10 promoted, 11 kept the champion).
  int exit_code = 0;

  /// A Context with the global options, a stderr logger and (on a terminal) a progress bar.
  Context MakeContext() const;
  Workspace OpenWorkspace() const;

  /// Prints one JSON document on stdout.
  void PrintJson(const nlohmann::json& doc) const;
  /// Prints aligned columns on stdout.
  void PrintTable(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) const;
  /// A line for people on stderr (suppressed by --quiet and --json keeps stdout clean anyway).
  void Say(const std::string& line) const;
};

/// The ids in the first column of a CSV with a header (users, seeds, an allow / deny list of
/// items). An empty cell is an error naming `what` ("user id"), or skipped when `what` is null.
std::vector<std::string> FirstColumnIds(const std::string& file, const char* what,
                                        const Context& ctx);

/// `v` with `digits` decimals, or "-" for NaN and infinity (a measure that is undefined).
std::string Fixed(double v, int digits = 4);

/// The global options, as each command's --help lists them.
inline constexpr std::string_view kGlobalOptionsHelp =
    "Global options (every command, before or after its name):\n"
    "  --workspace DIR   workspace folder (default: $PROSPECT_WORKSPACE, else .)\n"
    "  --json            print one JSON document on stdout and nothing else\n"
    "  --threads N       worker threads (0 = all cores)\n"
    "  --seed N          random seed (default 42)\n"
    "  --quiet           only warnings and errors on stderr\n";

/// Adds a subcommand with a description and an examples epilog, and hooks `run` as its callback.
CLI::App* AddCommand(CLI::App& app, const std::string& name, const std::string& description,
                     const std::string& examples, std::function<void()> run);
/// AddCommand for a command that works on the workspace: opens it and makes the Context before
/// `run`.
CLI::App* AddWorkspaceCommand(CLI::App& app, const Cli& cli, const std::string& name,
                              const std::string& description, const std::string& examples,
                              std::function<void(Workspace&, Context&)> run);

/// --param NAME=VALUE flags (or another `flag` of that form) as a JSON object {NAME: "VALUE"} (a
/// later NAME wins); `example` is a valid NAME=VALUE for the error message.
nlohmann::json ParamFlags(const std::vector<std::string>& specs, std::string_view example,
                          std::string_view flag = "--param");
/// --as-of DATE (YYYY-MM-DD): the instant that day ends, so that the whole day is history; nullopt
/// when the flag was not given.
std::optional<int64_t> AsOfFlag(const std::string& date);
/// A YYYY-MM-DD flag as days since the epoch; kInvalidArgument naming `flag` and `example`.
int64_t DateFlag(std::string_view flag, const std::string& date,
                 std::string_view example = "2024-03-01");

// One function per command family; each registers its subcommands on `app`.
void AddInitCommand(CLI::App& app, Cli& cli);
void AddTablesCommands(CLI::App& app, Cli& cli);  // tables, export, sql
void AddIngestCommand(CLI::App& app, Cli& cli);
void AddQualityCommand(CLI::App& app, Cli& cli);
void AddGenerateCommand(CLI::App& app, Cli& cli);
void AddReportCommand(CLI::App& app, Cli& cli);
void AddQuickstartCommand(CLI::App& app, Cli& cli);
void AddProfileCommand(CLI::App& app, Cli& cli);
void AddModelCommands(CLI::App& app, Cli& cli);  // train, evaluate, score, explain, models
void AddChurnCommand(CLI::App& app, Cli& cli);
void AddSegmentCommand(CLI::App& app, Cli& cli);
void AddRecommendCommand(CLI::App& app, Cli& cli);  // recommend evaluate
void AddClvCommand(CLI::App& app, Cli& cli);        // clv fit, predict, list
void AddUpliftCommand(CLI::App& app, Cli& cli);     // uplift train, evaluate, score, list
void AddTargetCommand(CLI::App& app, Cli& cli);     // target
void AddLookalikeCommand(CLI::App& app, Cli& cli);  // lookalike
void AddServeCommands(CLI::App& app, Cli& cli);     // serve, keys
void AddAuditCommands(CLI::App& app, Cli& cli);     // audit verify, list
void AddPrivacyCommands(CLI::App& app, Cli& cli);   // pii keygen, show; forget; compact
void AddAudienceCommands(CLI::App& app, Cli& cli);  // audience save, list, show, export
void AddSurveyCommands(CLI::App& app, Cli& cli);    // survey nps, csat, drivers, simulate
void AddCrmCommands(CLI::App& app, Cli& cli);       // crm import, export, stage, merge, ...
void AddMonitorCommands(CLI::App& app, Cli& cli);   // monitor drift, performance, kpi
void AddRetrainCommand(CLI::App& app, Cli& cli);    // retrain
void AddExperimentCommand(CLI::App& app,
                          Cli& cli);  // experiment analyze, assign, power, allocate, simulate

}  // namespace prospect::cli
