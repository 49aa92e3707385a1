// One output file written whole or not at all: the bytes go to PATH.tmp and are renamed over PATH
// on Commit, so a failed or interrupted write leaves whatever was at PATH before. A PATH that is
// not a regular file (/dev/null, /dev/stdout, a FIFO) is written in place: renaming over it would
// replace the device with a file.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace prospect {

class OutputFile {
 public:
  /// Opens PATH.tmp (or PATH itself, when it is not a regular file). `what` names the file in
  /// errors ("the report", "the rejects file").
  OutputFile(std::string path, std::string what);
  ~OutputFile();  // without Commit: the temporary file is removed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  FILE* file() const { return file_; }
  void Write(std::string_view bytes);
  /// Flushes and closes the file (kIo if that fails); nothing is at PATH yet. For writers of
  /// several files that commit none unless all were written.
  void Close();
  /// Closes (when Close was not called) and moves the temporary file over PATH.
  void Commit();

 private:
  std::string path_;
  std::string what_;
  std::string tmp_;  // empty when writing in place
  FILE* file_ = nullptr;
};

}  // namespace prospect
