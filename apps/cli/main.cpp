// prospect: entry point. Parses flags, runs one command, maps errors to exit codes
// (docs/user/exit-codes.md). Algorithms live in the library, never here.
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"

int main(int argc, char** argv) {
  using namespace prospect;
  cli::Cli cli;
  CLI::App app{"prospect — one engine for customer acquisition: data in, quality, profiles, segments, models,\n"
               "recommendations, targeting, experiments, monitoring and serving.",
               "prospect"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", "prospect 0.1.0");
  app.footer(
      "\nStart with:\n  prospect quickstart            # generate sample data and run the whole loop\n"
      "  prospect init shop && prospect --workspace shop ingest customers customers.csv\n"
      "Exit codes: 0 ok, 2 invalid argument, 3 invalid data, 4 not found, 5 already exists,\n"
      "6 failed precondition, 7 unimplemented, 8 i/o, 9 resource exhausted, 70 internal.");
  const char* env_ws = std::getenv("PROSPECT_WORKSPACE");
  cli.options.workspace = env_ws && *env_ws ? env_ws : ".";
  app.add_option("--workspace", cli.options.workspace, "workspace folder (default: $PROSPECT_WORKSPACE, else .)");
  app.add_flag("--json", cli.options.json, "print one JSON document on stdout and nothing else");
  app.add_option("--threads", cli.options.threads, "worker threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", cli.options.seed, "random seed (default 42)");
  app.add_flag("--quiet", cli.options.quiet, "only warnings and errors on stderr");

  cli::AddInitCommand(app, cli);
  cli::AddGenerateCommand(app, cli);
  cli::AddIngestCommand(app, cli);
  cli::AddTablesCommands(app, cli);
  cli::AddQualityCommand(app, cli);
  cli::AddProfileCommand(app, cli);
  cli::AddSegmentCommand(app, cli);
  cli::AddModelCommands(app, cli);
  cli::AddChurnCommand(app, cli);
  cli::AddExperimentCommand(app, cli);
  cli::AddReportCommand(app, cli);
  cli::AddQuickstartCommand(app, cli);

  try {
    app.parse(argc, argv);
    return 0;
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
