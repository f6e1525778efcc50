#pragma once
// The heart-rate (BPM) chain of the original go-libp2p tutorial
// (nosequeldeebee/blockchain-tutorial, p2p/main.go), wire- and hash-
// compatible with it: a block is {Index, Timestamp, BPM, Hash, PrevHash} and
// Hash is the lowercase hex SHA-256 of decimal(Index) + Timestamp +
// decimal(BPM) + PrevHash. Unlike the original, a received chain is only
// adopted when it is longer and valid from a shared genesis to its tip.
//
// Pure logic: no I/O, no clock reads (timestamps are parameters). Value types;
// a PulseChain is not thread-safe (use it from one executor).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::pulse {

/// The original's genesis timestamp was time.Now(), so no two peers ever
/// shared a root; ours is fixed (overridable with --genesis-timestamp).
inline constexpr std::string_view DEFAULT_GENESIS_TIMESTAMP = "2018-01-22 00:00:00 +0000 UTC";
/// BPM accepted from the local user (a received chain may carry any integer:
/// the original never bounded it, and the hash covers it whatever it is).
inline constexpr std::int64_t MIN_BPM = 1;
inline constexpr std::int64_t MAX_BPM = 300;
/// Bounds on what a peer can make us hold. The line bound is derived from
/// the block bound, so every chain we accept also fits in one line we can
/// send on (a separate line bound once made long chains unrelayable).
inline constexpr std::size_t MAX_CHAIN_BLOCKS = 10'000;
inline constexpr std::size_t MAX_TIMESTAMP_BYTES = 256;
inline constexpr std::size_t HASH_HEX_CHARS = 64;
/// Largest JSON of one valid block: two hashes, the longest timestamp written
/// as JSON (control characters are refused, so at worst every byte is a '"'
/// or '\\' escaped to two), two 20-digit integers, field names, quotes and
/// separators (under 100 bytes).
inline constexpr std::size_t MAX_BLOCK_JSON_BYTES = 2 * HASH_HEX_CHARS + 2 * MAX_TIMESTAMP_BYTES + 2 * 20 + 100;
inline constexpr std::size_t MAX_LINE_BYTES = MAX_CHAIN_BLOCKS * MAX_BLOCK_JSON_BYTES + 2;

struct Block {
    std::int64_t index = 0;  // JSON "Index" (go int: 64-bit)
    std::string timestamp;   // JSON "Timestamp" (opaque text, hashed as is)
    std::int64_t bpm = 0;    // JSON "BPM"
    std::string hash;        // JSON "Hash": 64 lowercase hex characters
    std::string prev_hash;   // JSON "PrevHash": "" for the genesis

    friend bool operator==(const Block&, const Block&) = default;
};

/// Why a line or a chain was refused. `none` means accepted.
enum class Fault {
    none = 0,
    line_too_long,     // over MAX_LINE_BYTES
    malformed_json,    // not JSON at all
    not_a_chain,       // JSON, but not an array of block objects
    bad_field,         // missing field, wrong type, out of range, too long
    too_many_blocks,   // over MAX_CHAIN_BLOCKS
    empty_chain,       // [] has no genesis
    genesis_mismatch,  // block 0 differs from ours
    bad_index,         // Index not previous + 1
    bad_prev_hash,     // PrevHash not the previous block's Hash
    bad_hash,          // Hash not the recomputed one
};

std::string_view to_string(Fault f) noexcept;

/// Outcome of a check: the reason and a precise one-line message.
struct [[nodiscard]] Verdict {
    Fault fault = Fault::none;
    std::string message;
    bool ok() const noexcept { return fault == Fault::none; }
};

/// decimal(Index) + Timestamp + decimal(BPM) + PrevHash, as the original's
/// calculateHash concatenates them (strconv.Itoa prints negatives with '-').
std::string hash_record(const Block& b);
/// Lowercase hex SHA-256 of hash_record(b).
std::string calculate_hash(const Block& b);

/// The original's genesis quirk: it hashes the *empty* Block{} before filling
/// the fields in, so its Hash is SHA-256("00") whatever the timestamp.
std::string quirk_genesis_hash();
/// Block{0, timestamp, 0, quirk_genesis_hash(), ""}: the original's genesis
/// shape, with a timestamp every peer agrees on.
Block make_genesis(std::string timestamp);

/// The original's generateBlock with the time passed in.
Block generate_block(const Block& prev, std::int64_t bpm, std::string timestamp);
/// The original's isBlockValid, with a reason: index, link, then hash.
Verdict check_link(const Block& prev, const Block& next);
/// Whole-chain check: non-empty, bounded, block 0 == genesis, every later
/// block linked to its predecessor with a recomputed hash.
Verdict validate_chain(std::span<const Block> chain, const Block& genesis);

/// A local BPM entry: optional surrounding spaces, a decimal integer in
/// [MIN_BPM, MAX_BPM]. On failure `why` gets a one-line reason.
bool parse_bpm(std::string_view text, std::int64_t& bpm, std::string& why);

/// The chain a peer holds: starts at its genesis, only ever replaced by a
/// longer valid chain or extended by a local block.
class PulseChain {
public:
    explicit PulseChain(Block genesis);

    const std::vector<Block>& blocks() const noexcept { return m_blocks; }
    const Block& genesis() const noexcept { return m_blocks.front(); }
    const Block& tip() const noexcept { return m_blocks.back(); }
    std::size_t size() const noexcept { return m_blocks.size(); }

    /// Appends generate_block(tip, bpm, timestamp) (then tip()), unless the
    /// chain already holds MAX_CHAIN_BLOCKS: peers refuse a longer chain, so
    /// that block could never spread (Fault::too_many_blocks, chain unchanged).
    Verdict append(std::int64_t bpm, std::string timestamp);

    enum class Offer { adopted, not_longer, invalid };
    struct [[nodiscard]] OfferResult {
        Offer outcome;
        Verdict verdict;  // the reason when outcome == invalid
    };
    /// Replaces our chain with `chain` if it is longer and valid. A shorter or
    /// equal one is not validated (cheap to ignore the periodic rewrites).
    OfferResult offer(std::vector<Block> chain);

private:
    std::vector<Block> m_blocks;
};

}  // namespace chainkit::pulse
