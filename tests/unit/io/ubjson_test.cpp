// CheckUbjson: XGBoost's own booster bytes pass; hand-built values, every truncation, bad lengths
// and the kept fuzz crash input (a string length past the end) are clear errors.
#include "prospect/io/ubjson.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "prospect/common/error.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

std::string Ubj(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Message(std::string_view bytes) {
  try {
    CheckUbjson(bytes, "test");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    return e.what();
  }
  return "ok";
}

std::string XgboostBooster() {
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(i % 17);
    x.push_back((i * 7) % 5);
    y.push_back(i % 3 == 0 ? 1 : 0);
  }
  auto model = ClassifierRegistry().Create("gbdt", {{"n_estimators", 5}, {"max_depth", 3}});
  Dataset set;
  set.x = {x, 200, 2};
  set.y = y;
  set.feature_names = {"a", "b"};
  model->Fit(set, Context(1));
  const std::string file = model->Save();
  return std::string(ModelReader(file).Block("booster"));
}

TEST(Ubjson, AcceptsWhatXgboostWrites) {
  const std::string booster = XgboostBooster();
  ASSERT_EQ(booster[0], '{');
  EXPECT_EQ(Message(booster), "ok");
}

TEST(Ubjson, AcceptsHandBuiltValues) {
  EXPECT_EQ(Message(Ubj({'Z'})), "ok");
  EXPECT_EQ(Message(Ubj({'S', 'i', 3, 'a', 'b', 'c'})), "ok");
  // {"k": [1, 2.5f]} with an end marker, and a typed counted array of two int16.
  EXPECT_EQ(Message(Ubj({'{', 'i', 1, 'k', '[', 'i', 1, 'd', 0x40, 0x20, 0, 0, ']', '}'})), "ok");
  EXPECT_EQ(Message(Ubj({'[', '$', 'I', '#', 'i', 2, 0, 1, 0, 2})), "ok");
  EXPECT_EQ(Message(Ubj({'{', '#', 'U', 1, 'i', 1, 'k', 'T'})), "ok");
}

TEST(Ubjson, RejectsLengthsPastTheEndAndOtherDamage) {
  EXPECT_EQ(Message(Ubj({'S', 'l', 0x3d, 0x63, 0x00, 0x6c, 'a'})),
            "test is corrupted (UBJSON at byte 6): a string of 1029898348 bytes runs past the end "
            "(1 left)");
  EXPECT_EQ(Message(Ubj({'S', 'i', -1})),
            "test is corrupted (UBJSON at byte 3): a string is negative");
  EXPECT_EQ(Message(Ubj({'[', '$', 'L', '#', 'L', 0x7f, 0, 0, 0, 0, 0, 0, 0})),
            "test is corrupted (UBJSON at byte 13): a container of 9151314442816847872 elements "
            "cannot fit in 0 bytes");
  EXPECT_EQ(Message(Ubj({'x'})), "test is corrupted (UBJSON at byte 1): unknown type marker 0x78");
  EXPECT_EQ(Message(Ubj({'Z', 'Z'})),
            "test is corrupted (UBJSON at byte 1): 1 bytes after the end of the value");
  EXPECT_EQ(Message(std::string(300, '[')),
            "test is corrupted (UBJSON at byte 257): nested deeper than 256 levels");
  const std::string booster = XgboostBooster();
  for (size_t n = 0; n < booster.size(); n += 7) {
    EXPECT_NE(Message(std::string_view(booster).substr(0, n)), "ok") << n;
  }
}

TEST(Ubjson, RejectsTheKeptFuzzCrashInput) {
  // XGBoost 1.7.4 read 1 GB past a 5 kB buffer on this file (ASan heap-buffer-overflow in
  // UBJReader::DecodeStr); LoadClassifierChecked now stops it first.
  std::ifstream in(
      testing::SourceDir() + "/tests/fuzz/corpus/model/crash-xgboost-ubj-string-length",
      std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  const ModelReader reader(bytes);
  EXPECT_EQ(reader.type_tag(), "gbdt");
  EXPECT_NE(Message(reader.Block("booster")), "ok");
}

}  // namespace
}  // namespace prospect
