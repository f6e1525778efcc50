#include "fuzz_util.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

// Seed mode (see fuzz_util.hpp): runs before libFuzzer parses its flags.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    const char* dir = std::getenv("CHAINKIT_FUZZ_WRITE_SEEDS");
    if (dir == nullptr || *dir == '\0') return 0;
    std::filesystem::create_directories(dir);
    const auto seeds = chainkit::fuzz::fuzz_seeds();
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "seed-%03zu", i);
        std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));
        if (!out) {
            std::fprintf(stderr, "cannot write %s/%s\n", dir, name);
            std::exit(1);
        }
    }
    std::fprintf(stderr, "wrote %zu seeds to %s\n", seeds.size(), dir);
    std::exit(0);
}
