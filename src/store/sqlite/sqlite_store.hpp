// SQLite implementation of Store: one file, WAL journal, every write in one transaction.
#pragma once

#include <memory>
#include <string>

#include "prospect/store/store.hpp"

namespace prospect {

/// Opens (creating if needed) the SQLite store at `path` and migrates it to the current schema.
std::unique_ptr<Store> OpenSqliteStore(const std::string& path);

}  // namespace prospect
