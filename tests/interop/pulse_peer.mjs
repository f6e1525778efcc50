// pulse_peer.mjs - a js-libp2p peer running the original go tutorial's BPM
// chain logic (nosequeldeebee/blockchain-tutorial p2p/main.go), used to test
// pulse_p2p's wire compatibility.  Like the original it keeps a chain of
// {Index, Timestamp, BPM, Hash, PrevHash}, exchanges the whole chain as one
// JSON line + '\n' on /p2p/1.0.0 streams, adopts any longer chain WITHOUT
// validating it, and rewrites its chain to every stream periodically.
// Unlike the original a bad line is logged rather than fatal, so a test can
// keep driving it.
//
//   node pulse_peer.mjs [--port P] [--seed N] [--dial MULTIADDR]...
//                       [--genesis-timestamp STR | --now-genesis] [--interval-ms MS]
//
// stdin, one command per line:
//   <integer>   append a block with that BPM (and write the chain to every stream)
//   bad         write one malformed line ("[not json") to every stream
//   forged      write a chain one block longer than ours with a wrong Hash
//   quit        stop
// stdout (for the test; everything else goes to stderr):
//   LISTEN <multiaddr>       once listening
//   STREAM <peer id>         a /p2p/1.0.0 stream opened (either direction)
//   CHAIN <len> <tip hash> <added|adopted>   after every change

// Must come first: Node 20 has no Promise.withResolvers, libp2p 3.x needs it.
import './polyfill.mjs'

import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const PROTOCOL = '/p2p/1.0.0'
// Bound on a received line (pulse_p2p writes at most ~7.8 MB): a longer one
// aborts the stream instead of growing the buffer without end.
const MAX_LINE_CHARS = 16 << 20
const DEFAULT_GENESIS_TIMESTAMP = '2018-01-22 00:00:00 +0000 UTC' // pulse_p2p's default

function log (msg) { process.stderr.write(`pulse_peer: ${msg}\n`) }
function out (line) { process.stdout.write(`${line}\n`) }
function fail (msg) { log(msg); process.exit(1) }

function parseArgs (argv) {
  const o = { port: 0, seed: undefined, dial: [], genesis: DEFAULT_GENESIS_TIMESTAMP, intervalMs: 5000 }
  const need = (a, v) => { if (v === undefined) fail(`${a} needs a value`); return v }
  const int = (a, v) => { if (!/^\d+$/.test(need(a, v))) fail(`${a} needs a non-negative integer, got ${v}`); return v }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--port') o.port = Number(int(a, argv[++i]))
    else if (a === '--seed') o.seed = BigInt(int(a, argv[++i]))
    else if (a === '--dial') o.dial.push(need(a, argv[++i]))
    else if (a === '--genesis-timestamp') o.genesis = need(a, argv[++i])
    else if (a === '--now-genesis') o.genesis = goTime(new Date())
    else if (a === '--interval-ms') o.intervalMs = Number(int(a, argv[++i]))
    else fail(`unknown argument ${a}`)
  }
  return o
}

// ------------------------------------------------------------ chain (original logic)

// calculateHash: strconv.Itoa(Index) + Timestamp + strconv.Itoa(BPM) + PrevHash.
function calculateHash (b) {
  return createHash('sha256').update(`${b.Index}${b.Timestamp}${b.BPM}${b.PrevHash}`).digest('hex')
}

// go's time.Time.String() shape, UTC, millisecond precision.
function goTime (d) {
  const iso = d.toISOString() // 2018-01-22T00:00:00.123Z
  let frac = iso.slice(20, 23).replace(/0+$/, '')
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? '.' + frac : ''} +0000 UTC`
}

function generateBlock (old, bpm) {
  const b = { Index: old.Index + 1, Timestamp: goTime(new Date()), BPM: bpm, Hash: '', PrevHash: old.Hash }
  b.Hash = calculateHash(b)
  return b
}

// ------------------------------------------------------------ peer

const opts = parseArgs(process.argv.slice(2))
// The original's quirk: the genesis Hash is that of the empty Block{} ("00").
let chain = [{ Index: 0, Timestamp: opts.genesis, BPM: 0, Hash: calculateHash({ Index: 0, Timestamp: '', BPM: 0, PrevHash: '' }), PrevHash: '' }]
const streams = new Set()
const encoder = new TextEncoder()

function announce (how) {
  out(`CHAIN ${chain.length} ${chain[chain.length - 1].Hash} ${how}`)
}

function send (stream, text) {
  try {
    if (!stream.send(encoder.encode(text))) stream.onDrain().catch(() => {})
  } catch (err) {
    log(`write failed: ${err.message}`)
    streams.delete(stream)
  }
}

function writeAll (text) {
  for (const s of streams) send(s, text)
}

function onLine (line, peer) {
  if (line === '' || line === '\r') return
  let received
  try {
    received = JSON.parse(line)
  } catch (err) {
    log(`bad line from ${peer}: ${err.message}`)
    return
  }
  // The original's logic: longer wins, no validation at all.
  if (Array.isArray(received) && received.length > chain.length) {
    chain = received
    log(`adopted ${chain.length} blocks from ${peer}`)
    announce('adopted')
  }
}

function attach (stream, remotePeer) {
  const peer = remotePeer.toString()
  const decoder = new TextDecoder()
  let buf = ''
  streams.add(stream)
  out(`STREAM ${peer}`)
  stream.addEventListener('message', (evt) => {
    const chunks = evt.data instanceof Uint8Array ? [evt.data] : [...evt.data]
    for (const c of chunks) buf += decoder.decode(c, { stream: true })
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      onLine(line, peer)
    }
    if (buf.length > MAX_LINE_CHARS) {
      log(`line over ${MAX_LINE_CHARS} characters from ${peer}; stream aborted`)
      buf = ''
      streams.delete(stream)
      stream.abort(new Error('line too long'))
    }
  })
  stream.addEventListener('close', (evt) => {
    streams.delete(stream)
    log(`stream with ${peer} closed${evt.error ? ': ' + evt.error.message : ''}`)
  })
  send(stream, JSON.stringify(chain) + '\n')
}

function onCommand (cmd) {
  cmd = cmd.trim()
  if (cmd === 'quit') return stop(0)
  if (cmd === 'bad') { writeAll('[not json\n'); log('sent a malformed line'); return }
  if (cmd === 'forged') {
    const forged = [...chain, generateBlock(chain[chain.length - 1], 99)]
    forged[forged.length - 1].Hash = 'f'.repeat(64)
    writeAll(JSON.stringify(forged) + '\n')
    log('sent a forged chain')
    return
  }
  if (!/^-?\d+$/.test(cmd)) { log(`not a BPM: ${cmd}`); return }
  chain = [...chain, generateBlock(chain[chain.length - 1], Number(cmd))]
  announce('added')
  writeAll(JSON.stringify(chain) + '\n')
}

let node
async function stop (code) {
  const t = setTimeout(() => process.exit(code), 2000)
  t.unref()
  try { await node?.stop() } catch {}
  process.exit(code)
}

async function main () {
  const privateKey = opts.seed === undefined
    ? await generateKeyPair('Ed25519')
    : await generateKeyPairFromSeed('Ed25519', seedBytes(opts.seed))
  node = await createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${opts.port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: []
  })
  await node.handle(PROTOCOL, (stream, connection) => attach(stream, connection.remotePeer), { maxInboundStreams: 64 })
  const addr = node.getMultiaddrs().find(ma => ma.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  out(`LISTEN ${addr}`)
  for (const target of opts.dial) {
    const conn = await node.dial(multiaddr(target))
    const stream = await conn.newStream(PROTOCOL)
    attach(stream, conn.remotePeer)
  }
  setInterval(() => writeAll(JSON.stringify(chain) + '\n'), opts.intervalMs)
  createInterface({ input: process.stdin }).on('line', onCommand).on('close', () => log('stdin closed'))
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
}

function seedBytes (n) {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setBigUint64(0, BigInt.asUintN(64, n), true)
  return seed
}

process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err?.message ?? err}`))
main().catch((err) => fail(`failed: ${err?.message ?? err}`))
