// Whole-file reads and atomic replacement (libutil/src/file_io.cpp).
#include "chainkit/util/file_io.hpp"

#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sys/stat.h>
#include <vector>

using namespace chainkit;
using util::FileErrc;

TEST_CASE("write_file_atomic replaces the file and leaves no temporary", "[file_io]") {
    test::ScratchDir dir("util-io");
    const auto path = dir / "w.dat";
    const chain::Bytes first = {1, 2, 3};
    const chain::Bytes second(1000, 9);
    REQUIRE(util::write_file_atomic(path, first).ok());
    REQUIRE(util::write_file_atomic(path, second).ok());
    auto back = util::read_whole_file(path, 4096);
    REQUIRE(back.ok());
    CHECK(*back == second);
    // Only the target is left in the directory, whatever the temporary was named.
    std::vector<std::filesystem::path> left;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) left.push_back(e.path());
    CHECK(left == std::vector<std::filesystem::path>{path});
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);  // may hold unencrypted keys
}

TEST_CASE("read_whole_file distinguishes missing, oversized and unwritable", "[file_io]") {
    test::ScratchDir dir("util-io");
    auto missing = util::read_whole_file(dir / "nope.dat", 100);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == FileErrc::not_found);

    REQUIRE(util::write_file_atomic(dir / "big.dat", chain::Bytes(200, 1)).ok());
    auto big = util::read_whole_file(dir / "big.dat", 100);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == FileErrc::io);

    auto in_missing_dir = util::write_file_atomic(dir / "no-such-dir" / "w.dat", chain::Bytes{1});
    REQUIRE_FALSE(in_missing_dir.ok());
    CHECK(in_missing_dir.error().code == FileErrc::io);

    auto a_dir = util::read_whole_file(dir.path(), 100);
    REQUIRE_FALSE(a_dir.ok());
    CHECK(a_dir.error().code == FileErrc::io);
}
