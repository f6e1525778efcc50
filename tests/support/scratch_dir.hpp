// Test fixture: a fresh directory under the system temp dir, removed with
// everything in it when the fixture goes out of scope. Header-only.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace chainkit::test {

class ScratchDir {
public:
    explicit ScratchDir(const std::string& prefix = "chainkit") {
        std::random_device rd;
        for (;;) {
            m_path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
            if (std::filesystem::create_directory(m_path)) break;
        }
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

}  // namespace chainkit::test
