#include "prospect/io/output_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "prospect/common/error.hpp"

namespace prospect {

OutputFile::OutputFile(std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)) {
  struct stat st {};
  const bool special = ::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
  if (special && S_ISDIR(st.st_mode))
    Fail(ErrorCode::kInvalidArgument, "cannot write {} to {}: it is a folder; give a file name",
         what_, path_);
  if (!special) tmp_ = path_ + ".tmp";
  file_ = std::fopen((special ? path_ : tmp_).c_str(), "wb");
  if (!file_)
    Fail(ErrorCode::kIo, "cannot write {} to {}: {}", what_, path_,
         errno == ENOENT ? "its folder does not exist" : std::strerror(errno));
}

OutputFile::~OutputFile() {
  if (file_) std::fclose(file_);
  if (!tmp_.empty()) std::remove(tmp_.c_str());  // not committed
}

void OutputFile::Write(std::string_view bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    Fail(ErrorCode::kIo, "cannot write {} to {}: {}", what_, path_, std::strerror(errno));
}

void OutputFile::Close() {
  if (!file_) return;
  FILE* file = file_;
  file_ = nullptr;
  const bool flushed = std::fflush(file) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!flushed || !closed) {
    if (!tmp_.empty()) std::remove(tmp_.c_str());
    tmp_.clear();
    Fail(ErrorCode::kIo, "cannot write {} to {}: {}", what_, path_,
         std::strerror(flushed ? errno : flush_errno));
  }
}

void OutputFile::Commit() {
  Close();
  if (!tmp_.empty() && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp_.c_str());
    Fail(ErrorCode::kIo, "cannot move {} to {}: {}", tmp_, path_, std::strerror(err));
  }
  tmp_.clear();  // committed: the destructor leaves PATH alone
}

}  // namespace prospect
