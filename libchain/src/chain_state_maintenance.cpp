// ChainState::reindex (rebuild the stored UTXO set from stored blocks) and
// ChainState::verify (rebuild in memory, compare with the stored set).
#include "chainkit/chain/chain_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace chainkit::chain {

Result<void> ChainState::reindex() {
    if (!m_store.writable()) return Error{make_error_code(ChainError::read_only), "cannot reindex a read-only store"};
    // Step one drops the UTXO set and rewinds the stored tip to "nothing
    // connected" in one batch; activation then reconnects every stored block,
    // each step a batch. A crash in between resumes from the stored tip on load().
    StoreBatch reset;
    reset.clear_utxo = true;
    m_meta.tip = BlockHash{};
    reset.meta = m_meta;
    if (auto w = m_store.write(reset); !w) return storage_error("reindex reset: " + w.error().message);
    const auto old_height = height();
    BlockIndex* old_tip = m_active.empty() ? nullptr : m_active.back();
    set_tip(nullptr);
    reset_candidates();
    log(fmt::format("reindex: rebuilding the UTXO set from {} stored blocks", old_height + 1));
    // Rebuild the same chain first: among equal-work branches the choice
    // would otherwise fall to arrival order.
    while (old_tip && (m_active.empty() || m_active.back() != old_tip)) {
        auto step = activation_step(*old_tip);
        if (!step) return step.error();
        if (!*step) break;  // a block no longer connects: fall back to the best valid chain
    }
    if (auto a = activate_best_chain(); !a) return a.error();
    log(fmt::format("reindex: done at height {} {}", height(), tip().hash.hex()));
    return {};
}

namespace {

std::string coin_text(const OutPoint& o, const std::optional<Coin>& c) {
    if (!c) return fmt::format("{}:{} (absent)", o.txid.hex(), o.index);
    return fmt::format("{}:{} value {} key {} height {}{}", o.txid.hex(), o.index, c->out.value, c->out.key_hash.hex(),
                       c->height, c->coinbase ? " coinbase" : "");
}

std::string compare_address_index(const ChainStore& store, const MemoryUtxoSet& mem) {
    std::map<KeyHash, std::vector<OwnedCoin>> by_key;
    for (const auto& [o, c] : mem.coins()) by_key[c.out.key_hash].push_back(OwnedCoin{o, c});
    for (auto& [key, expected] : by_key) {
        auto stored = store.coins_for(key);
        if (!stored) return "address index unreadable: " + stored.error().message;
        std::sort(expected.begin(), expected.end(),
                  [](const auto& a, const auto& b) { return a.outpoint < b.outpoint; });
        auto got = *stored;
        std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.outpoint < b.outpoint; });
        if (got != expected)
            return fmt::format("address index for key {} lists {} coins, the UTXO set has {}", key.hex(), got.size(),
                               expected.size());
    }
    return {};
}

}  // namespace

Result<VerifyReport> ChainState::verify() const {
    VerifyReport report;
    MemoryUtxoSet mem;
    for (std::uint64_t h = 0; h < m_active.size(); ++h) {
        const BlockIndex* node = m_active[h];
        auto block = m_store.read_block(node->hash);
        auto stored_undo = m_store.read_undo(node->hash);
        if (!block || !stored_undo) return storage_error("reading block " + node->hash.hex());
        auto fail = [&](std::string what) {
            report.ok = false;
            report.first_difference = fmt::format("block {} {}: {}", h, node->hash.hex(), what);
            return report;
        };
        if (!*block) return fail("body missing");
        UtxoCache cache(mem);
        BlockUndo undo;
        if (auto r = connect_block(**block, h, m_params, cache, undo, m_queue); !r)
            return fail("does not connect: " + r.message);
        if (!*stored_undo || **stored_undo != undo) return fail("stored undo data differs from the rebuilt one");
        mem.apply(cache.changes());
    }
    std::optional<std::string> diff;
    auto walked = m_store.for_each_coin([&](const OutPoint& o, const Coin& c) {
        ++report.coins_checked;
        auto expected = mem.get_coin(o);
        if (!expected || *expected != c) {
            diff = fmt::format("stored coin {} but rebuilt {}", coin_text(o, c), coin_text(o, expected));
            return false;
        }
        return true;
    });
    if (!walked) return walked.error();
    if (!diff && report.coins_checked != mem.size()) {
        for (const auto& [o, c] : mem.coins()) {
            if (!m_store.get_coin(o)) {
                diff = "rebuilt coin " + coin_text(o, c) + " missing from the stored set";
                break;
            }
        }
    }
    if (auto e = m_store.read_error()) return storage_error("reading the UTXO set: " + e->message);
    if (!diff) {
        if (auto a = compare_address_index(m_store, mem); !a.empty()) diff = a;
    }
    if (diff) {
        report.ok = false;
        report.first_difference = *diff;
    }
    return report;
}

}  // namespace chainkit::chain
