// Covers examples/pulse_p2p/src/chain.cpp.
#include <catch2/catch.hpp>

#include <chainkit/pulse/chain.hpp>

using namespace chainkit::pulse;

namespace {

// Fixed vectors, computed outside this code the way the original's
// calculateHash does (decimal Index + Timestamp + decimal BPM + PrevHash):
//   G  = printf '%s' '00' | sha256sum
//   B1 = printf '%s' "12018-01-22 00:00:01 +0000 UTC72$G" | sha256sum
//   B2 = printf '%s' "22018-01-22 00:00:02.5 +0000 UTC-5$B1" | sha256sum
const std::string G = "f1534392279bddbf9d43dde8701cb5be14b82f76ec6607bf8d6ad557f60f304e";
const std::string B1 = "82cc26c4055c9475f646740ab683a7939172dc6f1611ce3d1d343a1240877773";
const std::string B2 = "1eb690684f58262da189851b665c177b316c19c642ff8d4d5781f2bd02348d9b";

std::vector<Block> sample_chain() {
    std::vector<Block> c{make_genesis(std::string(DEFAULT_GENESIS_TIMESTAMP))};
    c.push_back(generate_block(c.back(), 72, "2018-01-22 00:00:01 +0000 UTC"));
    c.push_back(generate_block(c.back(), 80, "2018-01-22 00:00:02 +0000 UTC"));
    c.push_back(generate_block(c.back(), 91, "2018-01-22 00:00:03 +0000 UTC"));
    return c;
}

}  // namespace

TEST_CASE("hashes match vectors computed the original way", "[pulse][chain]") {
    CHECK(quirk_genesis_hash() == G);
    Block b1{1, "2018-01-22 00:00:01 +0000 UTC", 72, "", G};
    CHECK(hash_record(b1) == "12018-01-22 00:00:01 +0000 UTC72" + G);
    CHECK(calculate_hash(b1) == B1);
    // Negative values print with '-' as strconv.Itoa does.
    Block b2{2, "2018-01-22 00:00:02.5 +0000 UTC", -5, "", B1};
    CHECK(calculate_hash(b2) == B2);
}

TEST_CASE("genesis keeps the original's quirk whatever its timestamp", "[pulse][chain]") {
    Block g = make_genesis("2026-11-24 04:15:45.1 +0000 UTC");
    CHECK(g.index == 0);
    CHECK(g.bpm == 0);
    CHECK(g.prev_hash.empty());
    CHECK(g.hash == G);
    CHECK(g.hash != calculate_hash(g));  // the quirk: not the hash of its own fields
    CHECK(make_genesis("x") == make_genesis("x"));
    CHECK(make_genesis("x") != make_genesis("y"));
}

TEST_CASE("generate_block links to its parent", "[pulse][chain]") {
    Block g = make_genesis(std::string(DEFAULT_GENESIS_TIMESTAMP));
    Block b = generate_block(g, 72, "2018-01-22 00:00:01 +0000 UTC");
    CHECK(b.index == 1);
    CHECK(b.prev_hash == G);
    CHECK(b.hash == B1);
    CHECK(check_link(g, b).ok());
}

TEST_CASE("a valid chain passes", "[pulse][chain]") {
    auto c = sample_chain();
    CHECK(validate_chain(c, c.front()).ok());
    CHECK(validate_chain(std::span(c).first(1), c.front()).ok());
}

TEST_CASE("validation rejects each kind of bad chain", "[pulse][chain]") {
    const auto good = sample_chain();
    const Block genesis = good.front();
    auto fault_of = [&](const std::vector<Block>& c) { return validate_chain(c, genesis).fault; };

    SECTION("empty") {
        CHECK(fault_of({}) == Fault::empty_chain);
    }
    SECTION("another genesis timestamp (an original peer's time.Now root)") {
        auto c = good;
        c[0].timestamp = "2026-01-01 00:00:00 +0000 UTC";
        CHECK(fault_of(c) == Fault::genesis_mismatch);
    }
    SECTION("genesis with a recomputed instead of the shared hash") {
        auto c = good;
        c[0].hash = calculate_hash(c[0]);
        CHECK(fault_of(c) == Fault::genesis_mismatch);
    }
    SECTION("skipped index, hashes recomputed so only the index is wrong") {
        auto c = good;
        c[2].index = 3;
        c[2].hash = calculate_hash(c[2]);
        c[3].prev_hash = c[2].hash;
        c[3].hash = calculate_hash(c[3]);
        auto v = validate_chain(c, genesis);
        CHECK(v.fault == Fault::bad_index);
        CHECK_THAT(v.message, Catch::Contains("Index 3 does not follow 1"));
    }
    SECTION("repeated block") {
        auto c = good;
        c.insert(c.begin() + 2, c[1]);
        CHECK(fault_of(c) == Fault::bad_index);
    }
    SECTION("broken PrevHash link with a self-consistent hash") {
        auto c = good;
        c[2].prev_hash = std::string(64, 'a');
        c[2].hash = calculate_hash(c[2]);
        CHECK(fault_of(c) == Fault::bad_prev_hash);
    }
    SECTION("tampered BPM without rehashing") {
        auto c = good;
        c[3].bpm = 200;
        auto v = validate_chain(c, genesis);
        CHECK(v.fault == Fault::bad_hash);
        CHECK_THAT(v.message, Catch::Contains("block 3"));
    }
    SECTION("tampered middle block rehashed: the next link breaks") {
        auto c = good;
        c[1].bpm = 10;
        c[1].hash = calculate_hash(c[1]);
        CHECK(fault_of(c) == Fault::bad_prev_hash);
    }
    SECTION("index overflow does not wrap") {
        std::vector<Block> c{genesis, Block{INT64_MIN, "t", 1, "", genesis.hash}};
        c[1].hash = calculate_hash(c[1]);
        CHECK(fault_of(c) == Fault::bad_index);
    }
}

TEST_CASE("PulseChain adopts only longer valid chains", "[pulse][chain]") {
    const auto good = sample_chain();
    PulseChain chain(good.front());
    REQUIRE(chain.size() == 1);

    auto r = chain.offer(good);
    CHECK(r.outcome == PulseChain::Offer::adopted);
    CHECK(chain.blocks() == good);

    CHECK(chain.offer(std::vector<Block>(good.begin(), good.end() - 1)).outcome == PulseChain::Offer::not_longer);
    CHECK(chain.offer(good).outcome == PulseChain::Offer::not_longer);

    auto longer = good;
    longer.push_back(generate_block(longer.back(), 60, "t5"));
    longer[2].bpm = 1;  // invalid in the middle
    auto bad = chain.offer(longer);
    CHECK(bad.outcome == PulseChain::Offer::invalid);
    CHECK(bad.verdict.fault == Fault::bad_hash);
    CHECK(chain.blocks() == good);  // unchanged

    REQUIRE(chain.append(99, "t6").ok());
    const Block& added = chain.tip();
    CHECK(added.index == 4);
    CHECK(added.prev_hash == good.back().hash);
    CHECK(validate_chain(chain.blocks(), chain.genesis()).ok());
}

TEST_CASE("PulseChain refuses to grow beyond MAX_CHAIN_BLOCKS", "[pulse][chain]") {
    PulseChain chain(make_genesis("g"));
    while (chain.size() < MAX_CHAIN_BLOCKS) REQUIRE(chain.append(60, "t").ok());
    const Block last = chain.tip();
    auto v = chain.append(61, "one too many");
    CHECK(v.fault == Fault::too_many_blocks);
    CHECK(v.message.find(std::to_string(MAX_CHAIN_BLOCKS)) != std::string::npos);
    CHECK(v.message.find('\n') == std::string::npos);
    CHECK(chain.size() == MAX_CHAIN_BLOCKS);
    CHECK(chain.tip() == last);
    // What we hold is still what a peer would accept.
    CHECK(validate_chain(chain.blocks(), chain.genesis()).ok());
}

TEST_CASE("parse_bpm accepts integers in range only", "[pulse][chain]") {
    std::int64_t bpm = 0;
    std::string why;
    CHECK(parse_bpm("72", bpm, why));
    CHECK(bpm == 72);
    CHECK(parse_bpm("  300\r", bpm, why));
    CHECK(bpm == 300);
    CHECK(parse_bpm("1", bpm, why));
    for (const char* bad : {"", "   ", "0", "301", "-5", "7.5", "72abc", "abc", "+72", "99999999999999999999999"}) {
        CAPTURE(bad);
        bpm = -1;
        why.clear();
        CHECK_FALSE(parse_bpm(bad, bpm, why));
        CHECK(bpm == -1);
        CHECK_FALSE(why.empty());
        CHECK(why.find('\n') == std::string::npos);
    }
}
