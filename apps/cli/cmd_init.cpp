// prospect init DIR
#include "cli.hpp"

namespace prospect::cli {

void AddInitCommand(CLI::App& app, Cli& cli) {
  auto dir = std::make_shared<std::string>();
  auto db = std::make_shared<std::string>();
  CLI::App* cmd =
      AddCommand(app, "init", "Create a workspace: prospect.toml and the store",
                 R"(  prospect init shop
  prospect init shop --db sqlite:/data/shop.db
  prospect init shop --db postgresql://analyst@db.example.com/crm
)",
                 [&cli, dir, db] {
                   Workspace::Init(*dir, *db);
                   if (cli.options.json) {
                     cli.PrintJson({{"workspace", *dir}, {"config", *dir + "/" + kConfigFileName}});
                   } else {
                     std::cout << "Created workspace " << *dir << " (" << kConfigFileName
                               << " and the store).\nNext: prospect --workspace " << *dir
                               << " ingest customers FILE.csv\n";
                   }
                 });
  cmd->add_option("DIR", *dir, "folder to create the workspace in")->required();
  cmd->add_option("--db", *db, "store URL (default sqlite:DIR/prospect.db; or postgresql://...)");
}

}  // namespace prospect::cli
