// PLACEHOLDER: replaced by the JSONL reader's fuzz target.
#include <cstddef>
#include <cstdint>
int JsonlFuzzOne(const uint8_t*, size_t) { return 0; }
