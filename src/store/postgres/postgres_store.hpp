// PostgreSQL implementation of Store: tables as typed SQL tables written and read with binary
// COPY, the catalogue, objects, ingest history and audit log beside them in the connection's
// current schema.
#pragma once

#include <memory>
#include <string>

#include "prospect/store/store.hpp"

namespace prospect {

/// Connects to the PostgreSQL store at `url` (libpq's URL rules; PG* environment variables fill
/// in what the URL leaves out) and migrates its catalogue to the current schema. The password is
/// never part of a message. Throws kIo when the server cannot be reached.
std::unique_ptr<Store> OpenPostgresStore(const std::string& url);

}  // namespace prospect
