// PLACEHOLDER: replaced by the CSV reader's fuzz target.
#include <cstddef>
#include <cstdint>
int CsvFuzzOne(const uint8_t*, size_t) { return 0; }
