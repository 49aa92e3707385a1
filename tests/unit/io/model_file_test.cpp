// Model-file container: round trip, and every truncation and corruption gives an error.
#include "prospect/io/model_file.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace prospect {
namespace {

std::string Sample() {
  ModelWriter w("kmeans", {{"k", 3}, {"seed", 42}});
  const std::vector<double> centres = {0.5, -1.25, 3e10};
  w.AddArray<double>("centres", centres);
  w.AddBlock("note", "hello");
  return w.Finish();
}

TEST(ModelFile, RoundTripsParamsAndBlocks) {
  const std::string bytes = Sample();
  ModelReader r(bytes);
  EXPECT_EQ(r.format_version(), kModelFileVersion);
  EXPECT_EQ(r.type_tag(), "kmeans");
  EXPECT_EQ(r.params()["k"], 3);
  EXPECT_EQ(r.Array<double>("centres"), (std::vector<double>{0.5, -1.25, 3e10}));
  EXPECT_EQ(r.Block("note"), "hello");
  EXPECT_NO_THROW(r.ExpectType("kmeans"));
  EXPECT_THROW(r.ExpectType("gmm"), Error);
  EXPECT_THROW((void)r.Block("missing"), Error);
  EXPECT_THROW((void)r.Array<int64_t>("note"), Error);  // 5 bytes is not whole int64s
}

TEST(ModelFile, EveryTruncationIsAnError) {
  const std::string bytes = Sample();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(ModelReader(std::string_view(bytes).substr(0, n)), Error) << "length " << n;
  }
}

TEST(ModelFile, EverySingleByteCorruptionIsAnError) {
  // The checksum (format 2) finds every changed byte, payload bytes included.
  const std::string bytes = Sample();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char v : {0x00, 0xff, 0x7f}) {
      if (static_cast<unsigned char>(bytes[i]) == v) continue;
      std::string bad = bytes;
      bad[i] = static_cast<char>(v);
      EXPECT_THROW(ModelReader{bad}, Error) << "byte " << i << " = " << int{v};
    }
  }
  std::string payload = bytes;
  payload[payload.find("hello")] = 'j';
  ExpectError([&] { ModelReader r(payload); }, ErrorCode::kInvalidData,
              "model file is corrupted: its checksum does not match its contents");
}

TEST(ModelFile, VersionOneFilesWithoutAChecksumStillLoad) {
  // A format-1 file is the same layout without the trailing checksum.
  std::string v1 = Sample();
  v1.resize(v1.size() - 8);
  v1[8] = 1;
  ModelReader r(v1);
  EXPECT_EQ(r.format_version(), 1u);
  EXPECT_EQ(r.Block("note"), "hello");
  EXPECT_EQ(r.Array<double>("centres"), (std::vector<double>{0.5, -1.25, 3e10}));
}

TEST(ModelFile, FutureVersionAsksForAnUpgrade) {
  std::string bytes = Sample();
  bytes[8] = 9;  // version field
  ExpectError([&] { ModelReader r(bytes); }, ErrorCode::kFailedPrecondition,
              "model file format version 9 is not supported: this prospect reads versions 1 to 2; "
              "upgrade prospect to load it");
}

TEST(ModelFile, RejectsOtherFiles) {
  ExpectError([] { ModelReader r("PK\x03\x04 this is a zip file"); }, ErrorCode::kInvalidData,
              "not a prospect model file (bad magic bytes)");
}

}  // namespace
}  // namespace prospect
