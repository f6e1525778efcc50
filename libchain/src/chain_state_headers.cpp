// ChainState headers-first sync: header batches, the best header, what to
// download, locators and getheaders answers. Low-work headers are held per
// sender (low_work_headers.hpp) until their chain overtakes the active one.
#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/pow.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::chain {
namespace {

ChainTip tip_of(const BlockIndex* b) {
    return b ? ChainTip{b->hash, b->height(), b->work()} : ChainTip{};
}

// Dense for 10 entries, then doubling steps, ending at genesis.
std::vector<BlockHash> walk_locator(const BlockIndex* b) {
    std::vector<BlockHash> out;
    std::uint64_t step = 1;
    while (b) {
        out.push_back(b->hash);
        if (b->height() == 0) break;
        if (out.size() >= 10) step *= 2;
        const std::uint64_t target = b->height() > step ? b->height() - step : 0;
        while (b && b->height() > target) b = b->parent;
    }
    return out;
}

}  // namespace

void ChainState::note_index(BlockIndex* node) {
    // A null cache means "scan the tree on next use" (after a load).
    if (!node || !m_best_header || is_failed(node->status())) return;
    if (node->work() > m_best_header->work()) m_best_header = node;
}

void ChainState::reset_header_state() {
    m_best_header = nullptr;  // next use scans the tree
    m_header_chain.clear();
    m_low_work.clear();
}

const std::vector<BlockIndex*>& ChainState::header_chain() const {
    if (!m_best_header || is_failed(m_best_header->status())) {
        // A failure invalidated the cached best header: scan the tree once.
        m_best_header = nullptr;
        m_tree.for_each([&](const BlockIndex& n) {
            if (is_failed(n.status())) return;
            if (!m_best_header || n.work() > m_best_header->work() ||
                (n.work() == m_best_header->work() && n.sequence < m_best_header->sequence))
                m_best_header = const_cast<BlockIndex*>(&n);
        });
    }
    BlockIndex* best = m_best_header;
    // Equal work: the active chain wins, so nothing is downloaded for a tie.
    if (!m_active.empty() && (!best || !(best->work() > m_active.back()->work()))) best = m_active.back();
    if (!best) {
        m_header_chain.clear();
        return m_header_chain;
    }
    m_header_chain.resize(best->height() + 1, nullptr);
    for (BlockIndex* b = best; b && m_header_chain[b->height()] != b; b = b->parent) m_header_chain[b->height()] = b;
    return m_header_chain;
}

ChainTip ChainState::best_header() const {
    const auto& chain = header_chain();
    return chain.empty() ? ChainTip{} : tip_of(chain.back());
}

bool ChainState::on_best_header_chain(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    const auto& chain = header_chain();
    return b && b->height() < chain.size() && chain[b->height()] == b;
}

std::vector<std::pair<BlockHash, std::uint64_t>> ChainState::blocks_to_download(std::uint64_t from_height,
                                                                                std::size_t max) const {
    std::vector<std::pair<BlockHash, std::uint64_t>> out;
    const auto& chain = header_chain();
    for (std::uint64_t h = from_height; h < chain.size() && out.size() < max; ++h) {
        if (!has_data(chain[h]->status())) out.emplace_back(chain[h]->hash, h);
    }
    return out;
}

std::vector<BlockHash> ChainState::header_locator() const {
    const auto& chain = header_chain();
    return chain.empty() ? std::vector<BlockHash>{} : walk_locator(chain.back());
}

std::vector<BlockHash> ChainState::locator_for(const BlockHash& hash) const {
    const BlockIndex* b = m_tree.find(hash);
    if (!b) b = m_low_work.find_any(hash);
    return b ? walk_locator(b) : std::vector<BlockHash>{};
}

ChainTip ChainState::find_header_fork(const std::vector<BlockHash>& locator) const {
    for (const auto& hash : locator) {
        if (on_best_header_chain(hash)) return tip_of(m_tree.find(hash));
    }
    const auto& chain = header_chain();
    return chain.empty() ? ChainTip{} : tip_of(chain.front());
}

std::vector<BlockHeader> ChainState::headers_after(const std::vector<BlockHash>& locator, const BlockHash& stop,
                                                   std::size_t max) const {
    std::vector<BlockHeader> out;
    if (m_active.empty()) return out;
    const std::size_t limit = std::min(max, MAX_HEADERS_PER_BATCH);
    for (std::uint64_t h = find_fork(locator).height + 1; h < m_active.size() && out.size() < limit; ++h) {
        out.push_back(m_active[h]->record.header);
        if (!stop.is_zero() && m_active[h]->hash == stop) break;
    }
    return out;
}

BlockIndex* ChainState::find_header_parent(const BlockHash& prev, HeaderSender sender) {
    if (BlockIndex* b = m_tree.find(prev)) return b;
    return m_low_work.find(sender, prev);
}

HeadersResult ChainState::accept_headers(std::span<const BlockHeader> headers, std::int64_t now, HeaderSender sender) {
    HeadersResult res;
    if (!m_loaded) {
        res.validation = ValidationResult::fail(RejectReason::storage_failure, "chain state not loaded");
        return res;
    }
    if (headers.size() > MAX_HEADERS_PER_BATCH) {
        res.validation = ValidationResult::fail(
            RejectReason::block_too_large,
            fmt::format("{} headers in one batch, at most {}", headers.size(), MAX_HEADERS_PER_BATCH));
        return res;
    }
    const BlockHash best_before = best_header().hash;
    std::deque<BlockIndex> staged;
    (void)stage_headers(headers, now, sender, staged, res);
    if (!staged.empty()) place_staged(staged, sender, res);
    res.best_header_changed = best_header().hash != best_before;
    return res;
}

// Validates `headers` in order into `staged` (new nodes linked by parent
// pointers, the first to a tree node or one `sender` holds). Stops at the
// first invalid header (res.validation) and returns false.
bool ChainState::stage_headers(std::span<const BlockHeader> headers, std::int64_t now, HeaderSender sender,
                               std::deque<BlockIndex>& staged, HeadersResult& res) {
    BlockIndex* parent = nullptr;
    std::uint32_t work_bits = 0;
    Uint256 work;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const BlockHeader& h = headers[i];
        const BlockHash hash = h.hash();
        auto refuse = [&](ValidationResult v) {
            res.validation = std::move(v);
            res.invalid_hash = hash;
            return false;
        };
        if (i > 0 && h.prev != res.last_hash)
            return refuse(ValidationResult::fail(RejectReason::unknown_parent,
                                                 "header does not connect to the previous one of its batch"));
        if (staged.empty()) {
            // Still in the known prefix of the batch.
            if (BlockIndex* known = find_header_parent(hash, sender)) {
                if (is_failed(known->status()))
                    return refuse(
                        ValidationResult::fail(RejectReason::known_invalid, "header previously found invalid"));
                ++res.already_known;
                res.last_hash = hash;
                res.last_height = known->height();
                parent = known;
                continue;
            }
            if (!parent) parent = find_header_parent(h.prev, sender);
            if (!parent)
                return refuse(ValidationResult::fail(RejectReason::unknown_parent,
                                                     fmt::format("header's parent {} is unknown", h.prev.hex())));
        }
        if (auto r = check_block_header(h, m_params); !r) return refuse(std::move(r));
        if (is_failed(parent->status()))
            return refuse(ValidationResult::fail(RejectReason::invalid_parent, "header's parent is invalid"));
        if (auto r = check_contextual(h, *parent, now); !r) return refuse(std::move(r));
        if (h.bits != work_bits) {  // a batch mostly shares its bits: divide once
            work_bits = h.bits;
            work = block_work(h.bits);
        }
        BlockIndex& node = staged.emplace_back();
        node.record = BlockIndexRecord{h, parent->height() + 1, parent->work() + work, BlockStatus::header_valid};
        node.hash = hash;
        node.parent = parent;
        parent = &node;
        ++res.accepted;
        res.last_hash = hash;
        res.last_height = node.height();
    }
    return true;
}

// Stores `staged` (with the held chain it extends) when it leads to more
// work than the active chain; holds it for `sender` otherwise.
void ChainState::place_staged(std::deque<BlockIndex>& staged, HeaderSender sender, HeadersResult& res) {
    const BlockIndex* base = staged.front().parent;
    const bool extends_held = m_tree.find(base->hash) == nullptr;
    // Work only grows along a chain: if the batch's last header does not
    // lead past the active chain, none of the batch does.
    const bool overtakes = m_active.empty() || staged.back().work() > m_active.back()->work();
    if (!overtakes) {
        res.low_work = m_low_work.extend(sender, extends_held ? base : nullptr, staged) ? LowWorkOutcome::held
                                                                                        : LowWorkOutcome::dropped;
        if (res.low_work == LowWorkOutcome::dropped)
            log(fmt::format("dropped low-work headers of sender {}: over its budget of {}", sender,
                            MAX_LOW_WORK_HEADERS_PER_SENDER));
        return;
    }
    std::deque<BlockIndex> nodes;
    if (extends_held) nodes = m_low_work.take_through(sender, base);  // invalidates base
    for (auto& n : staged) nodes.push_back(std::move(n));
    if (!store_headers(nodes, res)) return;
    if (extends_held) res.low_work = LowWorkOutcome::committed;
}

// One store write for `nodes` (in chain order, the first's parent in the
// tree), then the tree.
bool ChainState::store_headers(std::deque<BlockIndex>& nodes, HeadersResult& res) {
    StoreBatch batch;
    batch.index.reserve(nodes.size());
    for (const auto& n : nodes) batch.index.emplace_back(n.hash, n.record);
    if (auto w = m_store.write(batch); !w) {
        res.accepted = 0;
        res.validation = ValidationResult::fail(RejectReason::storage_failure, "storage failure: " + w.error().message);
        return false;
    }
    for (const auto& n : nodes) note_index(m_tree.insert(n.hash, n.record));
    return true;
}

}  // namespace chainkit::chain
