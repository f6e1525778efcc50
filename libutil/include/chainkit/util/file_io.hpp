// Whole-file reads and crash-safe replacement, for the wallet file, the
// genesis file and any other small file a node keeps.
// write_file_atomic writes a temporary file beside the target (named after
// the target and the process id, so concurrent processes never share one), fsyncs it,
// renames it over the target and fsyncs the directory: after a crash at any
// instant the target holds either the old bytes or the new ones, never a mix.
// Thread-compatible (two writers of one path must be serialized by the caller).
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/result.hpp"

#include <cstddef>
#include <filesystem>
#include <system_error>

namespace chainkit::util {

enum class FileErrc {
    ok = 0,
    not_found = 1,  // the file does not exist
    io,             // the OS refused an open, read, write, fsync or rename, or the file is too large
};
[[nodiscard]] const std::error_category& file_error_category() noexcept;
[[nodiscard]] std::error_code make_error_code(FileErrc e) noexcept;

// not_found if absent, io on any OS error or a file above max_size.
[[nodiscard]] Result<chain::Bytes> read_whole_file(const std::filesystem::path& path, std::size_t max_size);
// Creates the file with mode 0600 (it may hold unencrypted keys).
[[nodiscard]] Result<void> write_file_atomic(const std::filesystem::path& path, chain::ByteSpan data);

}  // namespace chainkit::util

namespace std {
template <>
struct is_error_code_enum<chainkit::util::FileErrc> : true_type {};
}  // namespace std
