// A running node holds an exclusive lock on <data_dir>/node.lock for its
// whole life (released by the kernel even if it crashes). Every other
// command checks it before opening the database: reading RocksDB while
// another process writes it fails at random ("Corruption: Can't access
// ...sst"): commands reach a running node through its RPC instead
// (node_link.hpp); those that must write the database refuse.
#pragma once

#include <filesystem>

namespace chainkit::apps {

class NodeLock {
public:
    // Takes the lock; UserError if another node holds it.
    explicit NodeLock(const std::filesystem::path& data_dir);
    ~NodeLock();
    NodeLock(const NodeLock&) = delete;
    NodeLock& operator=(const NodeLock&) = delete;

    // UserError naming the data directory if a node runs on it.
    static void check_free(const std::filesystem::path& data_dir);
    // True iff a node runs on `data_dir` now.
    [[nodiscard]] static bool held(const std::filesystem::path& data_dir);

private:
    int m_fd = -1;
};

}  // namespace chainkit::apps
