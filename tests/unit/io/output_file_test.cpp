// OutputFile: whole or nothing for regular files, in place for devices and FIFOs (renaming over
// /dev/null once turned it into a regular file).
#include "prospect/io/output_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

TEST(OutputFile, ReplacesARegularFileOnlyOnCommit) {
  testing::TempDir dir;
  const std::string path = dir.File("out.txt");
  std::ofstream(path) << "before";
  {
    OutputFile out(path, "the test file");
    out.Write("half");
    EXPECT_EQ(testing::ReadFileText(path), "before");  // the bytes go beside it
  }  // no Commit: the old file stays and the temporary one is gone
  EXPECT_EQ(testing::ReadFileText(path), "before");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  {
    OutputFile closed(path, "the test file");
    closed.Write("whole");
    closed.Close();  // written and closed, but not committed: still nothing at the path
    EXPECT_EQ(testing::ReadFileText(path + ".tmp"), "whole");
  }
  EXPECT_EQ(testing::ReadFileText(path), "before");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  OutputFile out(path, "the test file");
  out.Write("after");
  out.Commit();
  EXPECT_EQ(testing::ReadFileText(path), "after");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(OutputFile, WritesAFifoInPlaceAndLeavesItAFifo) {
  testing::TempDir dir;
  const std::string path = dir.File("pipe");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);  // so the writer's open returns
  ASSERT_GE(reader, 0);
  const Table t(Schema({{"id", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {1, 2})});
  WriteCsv(t, path, Context(1));
  char buf[64] = {};
  const ssize_t n = ::read(reader, buf, sizeof buf);
  ::close(reader);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "id\n1\n2\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(OutputFile, AFolderIsRefusedByName) {
  testing::TempDir dir;
  ExpectError([&] { OutputFile(dir.path(), "the report"); }, ErrorCode::kInvalidArgument,
              "cannot write the report to " + dir.path() + ": it is a folder; give a file name");
}

}  // namespace
}  // namespace prospect
