// Replays kept fuzz inputs (tests/fuzz/corpus/KIND/*) through the fuzz entry points without
// libFuzzer: each input may be rejected with an error, but must not crash.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

int CsvFuzzOne(const uint8_t* data, size_t size);
int JsonlFuzzOne(const uint8_t* data, size_t size);
int ModelFuzzOne(const uint8_t* data, size_t size);
int ChunkFuzzOne(const uint8_t* data, size_t size);
int RequestFuzzOne(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_regression csv|jsonl|model|chunk|request CORPUS_DIR\n");
    return 2;
  }
  const std::string kind = argv[1];
  int (*fn)(const uint8_t*, size_t) = kind == "csv"       ? &CsvFuzzOne
                                      : kind == "jsonl"   ? &JsonlFuzzOne
                                      : kind == "model"   ? &ModelFuzzOne
                                      : kind == "chunk"   ? &ChunkFuzzOne
                                      : kind == "request" ? &RequestFuzzOne
                                                          : nullptr;
  if (!fn) {
    std::fprintf(stderr,
                 "fuzz_regression: unknown kind \"%s\": use csv, jsonl, model, chunk or request\n",
                 kind.c_str());
    return 2;
  }
  std::error_code error;
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(argv[2], error)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  // A missing or empty corpus replays nothing: that is a broken test, not a pass.
  if (error || n == 0) {
    std::fprintf(stderr, "fuzz_regression: no inputs in %s%s%s\n", argv[2], error ? ": " : "",
                 error ? error.message().c_str() : "");
    std::printf("0 passed, 1 failed\n");
    return 1;
  }
  std::printf("%zu passed, 0 failed\n", n);
  return 0;
}
