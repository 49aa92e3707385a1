// prospect: entry point. Parses flags, runs one command, maps errors to exit codes
// (docs/user/exit-codes.md). Algorithms live in the library, never here.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace {

// CLI11 with fallthrough takes an unknown first word for a stray argument: it then says only "A
// subcommand is required", or runs a later word as the command (`uplift train` ran `train`).
// The first word that is not a global option must name a command.
void CheckCommandWord(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return;
    if (word.rfind("-", 0) == 0) {
      // Global options that take a value in the next word.
      if (word == "--workspace" || word == "--threads" || word == "--seed") ++i;
      continue;
    }
    if (std::find(commands.begin(), commands.end(), word) != commands.end()) return;
    prospect::Fail(prospect::ErrorCode::kInvalidArgument, "unknown command {}. {}Commands: {}.",
                   prospect::QuoteForMessage(word), prospect::DidYouMean(word, commands),
                   prospect::Join(commands, ", "));
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace prospect;
  cli::Cli cli;
  CLI::App app{
      "prospect — one engine for customer acquisition: data in, quality, profiles, segments and\n"
      "personas, propensity and churn models, A/B experiments and an HTML report.",
      "prospect"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", "prospect 0.1.0");
  app.footer(
      "\nStart with:\n  prospect quickstart            # generate sample data and run the whole "
      "loop\n"
      "  prospect init shop && prospect --workspace shop ingest customers customers.csv\n"
      "Exit codes: 0 ok, 2 invalid argument, 3 invalid data, 4 not found, 5 already exists,\n"
      "6 failed precondition, 7 unimplemented, 8 i/o, 9 resource exhausted, 70 internal;\n"
      "retrain: 10 promoted, 11 kept the champion.");
  const char* env_ws = std::getenv("PROSPECT_WORKSPACE");
  cli.options.workspace = env_ws && *env_ws ? env_ws : ".";
  app.add_option("--workspace", cli.options.workspace,
                 "workspace folder (default: $PROSPECT_WORKSPACE, else .)");
  app.add_flag("--json", cli.options.json, "print one JSON document on stdout and nothing else");
  app.add_option("--threads", cli.options.threads, "worker threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", cli.options.seed, "random seed (default 42)");
  app.add_flag("--quiet", cli.options.quiet, "only warnings and errors on stderr");

  // The commands, in the order --help lists them.
  for (const auto add :
       {cli::AddInitCommand,      cli::AddGenerateCommand,  cli::AddIngestCommand,
        cli::AddTablesCommands,   cli::AddQualityCommand,   cli::AddProfileCommand,
        cli::AddSegmentCommand,   cli::AddModelCommands,    cli::AddChurnCommand,
        cli::AddRecommendCommand, cli::AddUpliftCommand,    cli::AddTargetCommand,
        cli::AddLookalikeCommand, cli::AddAudienceCommands, cli::AddClvCommand,
        cli::AddCrmCommands,      cli::AddSurveyCommands,   cli::AddExperimentCommand,
        cli::AddMonitorCommands,  cli::AddRetrainCommand,   cli::AddReportCommand,
        cli::AddServeCommands,    cli::AddAuditCommands,    cli::AddPrivacyCommands,
        cli::AddQuickstartCommand}) {
    add(app, cli);
  }

  try {
    CheckCommandWord(app, argc, argv);
    app.parse(argc, argv);
    return cli.exit_code;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\n";
    if (e.get_exit_code() != 0) std::cerr << "Run with --help for usage.\n";
    return ExitCodeFor(ErrorCode::kInvalidArgument);
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return ExitCodeFor(e.code());
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory\n";
    return ExitCodeFor(ErrorCode::kResourceExhausted);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return ExitCodeFor(ErrorCode::kInternal);
  }
}
