// Cookie: a random secret in an owner-only file, written atomically and
// removed at the end; Basic credentials compared exactly.
#include "chainkit/rpc/cookie.hpp"

#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <string>
#include <sys/stat.h>

using chainkit::rpc::basic_authorization;
using chainkit::rpc::Cookie;
using chainkit::rpc::read_cookie;

TEST_CASE("a cookie is a fresh random secret in an owner-only file", "[rpc][cookie]") {
    chainkit::test::ScratchDir dir("rpc-cookie");
    const auto path = dir / ".cookie";
    ::umask(0);  // the file must be 0600 even when the umask would allow more
    auto a = Cookie::create(path);
    ::umask(022);
    REQUIRE(a.ok());
    CHECK(std::regex_match(a->credentials(), std::regex("__cookie__:[0-9a-f]{64}")));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(std::filesystem::exists(dir / ".cookie.tmp"));
    auto read = read_cookie(path);
    REQUIRE(read.ok());
    CHECK(*read == a->credentials());

    // A second cookie replaces the first with another secret.
    auto b = Cookie::create(path);
    REQUIRE(b.ok());
    CHECK(b->credentials() != a->credentials());
    CHECK(*read_cookie(path) == b->credentials());
}

TEST_CASE("the cookie file is removed at the end, once", "[rpc][cookie]") {
    chainkit::test::ScratchDir dir("rpc-cookie");
    {
        auto c = Cookie::create(dir / ".cookie");
        REQUIRE(c.ok());
        Cookie moved(std::move(c).value());
        CHECK(std::filesystem::exists(dir / ".cookie"));
    }
    CHECK_FALSE(std::filesystem::exists(dir / ".cookie"));
}

TEST_CASE("a cookie cannot be written where there is no directory", "[rpc][cookie]") {
    chainkit::test::ScratchDir dir("rpc-cookie");
    const auto c = Cookie::create(dir / "missing" / ".cookie");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("cannot create") != std::string::npos);
}

TEST_CASE("only the exact Basic credentials are authorized", "[rpc][cookie]") {
    chainkit::test::ScratchDir dir("rpc-cookie");
    auto c = Cookie::create(dir / ".cookie");
    REQUIRE(c.ok());
    const auto good = basic_authorization(c->credentials());
    CHECK(good.starts_with("Basic "));
    CHECK(c->authorizes(good));
    CHECK_FALSE(c->authorizes(""));
    CHECK_FALSE(c->authorizes(good + "x"));
    CHECK_FALSE(c->authorizes(good.substr(0, good.size() - 1)));
    auto flipped = good;
    flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
    CHECK_FALSE(c->authorizes(flipped));
    CHECK_FALSE(c->authorizes(basic_authorization("__cookie__:" + std::string(64, '0'))));
}

TEST_CASE("read_cookie refuses what is not a cookie file", "[rpc][cookie]") {
    chainkit::test::ScratchDir dir("rpc-cookie");
    std::ofstream(dir / "big") << std::string(5000, 'a');
    std::ofstream(dir / "nocolon") << "justtext\n";
    CHECK_FALSE(read_cookie(dir / "big").ok());
    CHECK_FALSE(read_cookie(dir / "nocolon").ok());
    CHECK_FALSE(read_cookie(dir / "absent").ok());
}
