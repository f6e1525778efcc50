// Loads JSON test vectors from tests/vectors/.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>

namespace chainkit::test {

inline nlohmann::json load_vectors(const std::string& name) {
    std::ifstream in(std::string(CHAINKIT_TEST_VECTORS_DIR) + "/" + name);
    if (!in) throw std::runtime_error("missing test vector file " + name);
    return nlohmann::json::parse(in);
}

}  // namespace chainkit::test
