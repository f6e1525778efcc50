#include "genesis_file.hpp"

#include "chainkit/chain/validation.hpp"
#include "chainkit/util/file_io.hpp"

#include "commands.hpp"
#include "errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace chainkit::apps {
namespace {

constexpr std::array<std::uint8_t, 8> MAGIC = {'C', 'K', 'G', 'E', 'N', 'E', 'S', 'I'};
constexpr std::uint32_t FORMAT_VERSION = 1;
constexpr std::size_t MAX_GENESIS_FILE = 1 << 20;

}  // namespace

chain::Block mine_genesis(const chain::ConsensusParams& p, const chain::KeyHash& to, std::int64_t now,
                          std::stop_token stop) {
    chain::BlockContext ctx;  // prev zero, height 0
    ctx.bits = p.pow_limit_bits;
    ctx.time = now;
    // An empty pool over an empty UTXO set: the template is its coinbase alone.
    const chain::MemoryUtxoSet none;
    const chain::Mempool empty(p, none, 0);
    return mine_template(empty, ctx, to, p, std::move(stop));
}

void write_genesis_file(const std::filesystem::path& path, const chain::Block& genesis,
                        const chain::ConsensusParams& p) {
    chain::ByteWriter w;
    // Byte by byte: GCC 12 -O3 warns (falsely, -Wstringop-overflow) on a span insert into an empty vector.
    for (const auto c : MAGIC) w.u8(c);
    w.u32(FORMAT_VERSION);
    w.u32(p.chain_magic);
    w.var_bytes(chain::encode(genesis));
    check_or_throw(util::write_file_atomic(path, w.data()));
}

chain::Block read_genesis_file(const std::filesystem::path& path, const chain::ConsensusParams& p) {
    auto bytes = util::read_whole_file(path, MAX_GENESIS_FILE);
    if (!bytes) throw UserError(fmt::format("cannot read genesis file {}: {}", path.string(), bytes.error().message));
    const auto bad = [&](std::string_view why) {
        return UserError(fmt::format("bad genesis file {}: {}", path.string(), why));
    };
    if (bytes->size() < MAGIC.size() || !std::equal(MAGIC.begin(), MAGIC.end(), bytes->begin()))
        throw bad("not a chainkit genesis file");
    chain::ByteReader r(chain::ByteSpan(*bytes).subspan(MAGIC.size()));
    const auto version = r.u32();
    const auto magic = r.u32();
    const auto body = r.var_bytes(MAX_GENESIS_FILE);
    r.expect_end();
    if (!r.ok()) throw bad(fmt::format("truncated or malformed ({})", chain::to_string(r.error())));
    if (version != FORMAT_VERSION) throw bad(fmt::format("format version {} not supported", version));
    if (magic != p.chain_magic) throw bad(fmt::format("made for another network, not {}", p.name));
    chain::Block b;
    chain::DecodeError err{};
    if (!chain::decode(body, b, &err)) throw bad(fmt::format("block does not decode ({})", chain::to_string(err)));
    if (auto v = chain::check_genesis(b, p); !v) throw bad(fmt::format("not a valid genesis block: {}", v.message));
    return b;
}

}  // namespace chainkit::apps
