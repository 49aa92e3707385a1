// PLACEHOLDER registrations for commands being built this session; each moves to its own file.
#include "cli.hpp"

namespace prospect::cli {
void AddQuickstartCommand(CLI::App&, Cli&) {}
}  // namespace prospect::cli
