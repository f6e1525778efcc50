// The chain scale_bench and load_bench start from (common/fanout_chain.hpp)
// and the single-core signature-check rate the figures are compared with.
#pragma once

#include "common/fanout_chain.hpp"
#include "scale_cluster.hpp"
#include "support/regtest_chain.hpp"

#include <chrono>
#include <cstddef>
#include <vector>

namespace chainkit::bench {

// Ed25519 verifications per CPU second of this thread (one core's rate,
// whatever share of a core a loaded machine gives it), over `count` checks
// of a transaction-sized message.
inline double signature_checks_per_second(const test::TestKey& key, std::size_t count = 4000) {
    chain::Hash256 msg;
    chain::Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.SIZE, key.sk.data());
    const auto t0 = thread_cpu_ns();
    std::size_t ok = 0;
    for (std::size_t i = 0; i < count; ++i) ok += chain::verify_signature(key.pk, msg, sig) ? 1 : 0;
    const double s = static_cast<double>(thread_cpu_ns() - t0) / 1e9;
    if (ok != count) return 0;
    return static_cast<double>(count) / s;
}

}  // namespace chainkit::bench
