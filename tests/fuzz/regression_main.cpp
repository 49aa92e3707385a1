// Replays kept fuzz inputs (tests/fuzz/corpus/KIND/*) through the fuzz entry points without
// libFuzzer: each input may be rejected with an error, but must not crash.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int CsvFuzzOne(const uint8_t* data, size_t size);
int JsonlFuzzOne(const uint8_t* data, size_t size);
int ModelFuzzOne(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_regression csv|jsonl|model CORPUS_DIR\n");
    return 2;
  }
  const std::string kind = argv[1];
  auto* fn = kind == "csv" ? &CsvFuzzOne : kind == "model" ? &ModelFuzzOne : &JsonlFuzzOne;
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(argv[2])) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  std::printf("%zu passed, 0 failed\n", n);
  return 0;
}
