#include "chainkit/util/file_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chainkit::util {
namespace {

class FileErrorCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "chainkit.file"; }
    [[nodiscard]] std::string message(int c) const override {
        switch (static_cast<FileErrc>(c)) {
            case FileErrc::ok:
                return "ok";
            case FileErrc::not_found:
                return "file not found";
            case FileErrc::io:
                return "file input/output error";
        }
        return "unknown file error";
    }
};

Error io_error(const std::string& what, const std::filesystem::path& p, int err) {
    return Error{make_error_code(FileErrc::io), fmt::format("cannot {} {}: {}", what, p.string(), std::strerror(err))};
}

// Closes on scope exit so that every early return releases the descriptor.
class Fd {
public:
    explicit Fd(int fd) noexcept : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    [[nodiscard]] int get() const noexcept { return m_fd; }
    int release() noexcept { return std::exchange(m_fd, -1); }

private:
    int m_fd;
};

bool write_all(int fd, chain::ByteSpan data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

Result<void> fsync_dir(const std::filesystem::path& dir) {
    Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return io_error("open directory", dir, errno);
    if (::fsync(fd.get()) != 0) return io_error("fsync directory", dir, errno);
    return {};
}

}  // namespace

const std::error_category& file_error_category() noexcept {
    static const FileErrorCategory category;
    return category;
}

std::error_code make_error_code(FileErrc e) noexcept {
    return {static_cast<int>(e), file_error_category()};
}

Result<chain::Bytes> read_whole_file(const std::filesystem::path& path, std::size_t max_size) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int err = errno;
        if (err == ENOENT)
            return Error{make_error_code(FileErrc::not_found), fmt::format("{} does not exist", path.string())};
        return io_error("open", path, err);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return io_error("stat", path, errno);
    if (!S_ISREG(st.st_mode)) return io_error("read", path, EISDIR);
    if (static_cast<std::uint64_t>(st.st_size) > max_size)
        return Error{make_error_code(FileErrc::io),
                     fmt::format("{} is {} bytes, more than the {} allowed", path.string(), st.st_size, max_size)};
    chain::Bytes out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read", path, errno);
        if (n == 0) break;  // shrank while reading: decode sees the short file
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

Result<void> write_file_atomic(const std::filesystem::path& path, chain::ByteSpan data) {
    // One temporary per process: two processes saving the same file at once
    // must not write into one shared temporary (one could rename the other's
    // half-written bytes into place).
    std::filesystem::path tmp = path;
    tmp += fmt::format(".tmp.{}", ::getpid());
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return io_error("create", tmp, errno);
    if (!write_all(fd.get(), data) || ::fsync(fd.get()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return io_error("write", tmp, err);
    }
    if (::close(fd.release()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return io_error("close", tmp, err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return io_error("rename over", path, err);
    }
    // The rename is durable only once the directory entry is on disk.
    return fsync_dir(path.parent_path());
}

}  // namespace chainkit::util
