// js_peer.mjs - a real js-libp2p peer (TCP + Noise + yamux only) that
// chainkit's C++ libp2p-compatible transport is tested against.
//
//   node js_peer.mjs listen [--port P] [--seed N]
//   node js_peer.mjs dial <multiaddr> [--bytes N] [--ping] [--seed N] [--timeout S]
//   node js_peer.mjs bench-pair [--bytes N] [--rounds R] [--timeout S]
//
// stdout carries only the result lines (LISTEN / ECHO OK / PING OK / JS2JS);
// everything else goes to stderr.  See README.md.

// Must come first: Node 20 has no Promise.withResolvers, libp2p 3.x needs it.
import './polyfill.mjs'

import { createHash } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/chainkit/echo/1.0.0'
const CHUNK = 64 * 1024
const DEFAULT_BYTES = 1024 * 1024
const DEFAULT_TIMEOUT_S = 60
const PAYLOAD_SEED = 0x636b6974 // "ckit"

function log (msg) {
  process.stderr.write(`js_peer: ${msg}\n`)
}

function fail (msg) {
  process.stderr.write(`js_peer: ${msg}\n`)
  process.exit(1)
}

function usage () {
  fail('usage: js_peer.mjs listen [--port P] [--seed N] | dial <multiaddr> [--bytes N] [--ping] | bench-pair [--bytes N] [--rounds R]')
}

// ---------------------------------------------------------------- arguments

function parseArgs (argv) {
  const out = { cmd: argv[0], positional: [], port: 0, seed: undefined, bytes: DEFAULT_BYTES, rounds: 1, ping: false, timeout: DEFAULT_TIMEOUT_S }
  const intArg = (name, v) => {
    if (v === undefined || !/^\d+$/.test(v)) fail(`${name} needs a non-negative integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`)
    return v
  }
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--port') out.port = Number(intArg(a, argv[++i]))
    else if (a === '--seed') out.seed = BigInt(intArg(a, argv[++i]))
    else if (a === '--bytes') out.bytes = Number(intArg(a, argv[++i]))
    else if (a === '--timeout') out.timeout = Number(intArg(a, argv[++i]))
    else if (a === '--rounds') out.rounds = Number(intArg(a, argv[++i]))
    else if (a === '--ping') out.ping = true
    else if (a.startsWith('--')) fail(`unknown option ${a}`)
    else out.positional.push(a)
  }
  if (out.port > 65535) fail(`--port out of range: ${out.port}`)
  if (out.seed !== undefined && out.seed >= (1n << 64n)) fail('--seed must fit in 64 bits')
  if (!Number.isSafeInteger(out.bytes)) fail('--bytes too large')
  if (out.rounds < 1 || out.rounds > 100) fail(`--rounds must be 1..100, got ${out.rounds}`)
  return out
}

// ---------------------------------------------------------------- identity

// Deterministic Ed25519 identity: seed = N as u64 little-endian || 24 zero bytes.
export function seedBytes (n) {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true)
  return seed
}

export async function makeKey (seed) {
  if (seed === undefined) return generateKeyPair('Ed25519')
  return generateKeyPairFromSeed('Ed25519', seedBytes(seed))
}

// ---------------------------------------------------------------- node

// TCP + Noise + yamux only; ping is served (and the built-in connection
// monitor pings every 10 s).  No peer discovery, no identify, no DHT, no
// relay: the node only talks to addresses it is explicitly given.
export async function makeNode ({ privateKey, listen }) {
  return createLibp2p({
    privateKey,
    addresses: { listen: listen ?? [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { ping: ping() }
  })
}

// Echo every byte back until the remote half-closes, then half-close too.
// Event based (not `for await`) so that data carried in the same yamux frame
// as FIN is not dropped; writes are queued without applying backpressure to
// the reader, so a remote that writes everything before reading still works.
function handleEcho (stream, connection) {
  const start = performance.now()
  let n = 0
  let finished = false
  const peer = connection.remotePeer.toString()
  const finish = () => {
    if (finished) return
    finished = true
    stream.removeEventListener('message', onMessage)
    stream.close().then(() => {
      log(`echo served ${n} bytes to ${peer} via ${connection.remoteAddr} in ${Math.round(performance.now() - start)} ms`)
    }, (err) => {
      log(`echo to ${peer} failed after ${n} bytes: ${errText(err)}`)
      stream.abort(err)
    })
  }
  const onMessage = (evt) => {
    try {
      n += evt.data.byteLength
      stream.send(evt.data)
    } catch (err) {
      finished = true
      log(`echo to ${peer} failed after ${n} bytes: ${errText(err)}`)
      stream.abort(err)
    }
  }
  stream.addEventListener('message', onMessage)
  // yamux processes a frame's FIN flag before its payload, synchronously:
  // finish on the next microtask so that payload has been echoed first.
  stream.addEventListener('remoteCloseWrite', () => queueMicrotask(finish))
  stream.addEventListener('close', (evt) => {
    if (!finished && evt.error != null) {
      finished = true
      log(`echo stream from ${peer} closed after ${n} bytes: ${errText(evt.error)}`)
    }
  })
  if (stream.remoteWriteStatus === 'closed') queueMicrotask(finish)
}

// ---------------------------------------------------------------- payload

// mulberry32: tiny deterministic PRNG; bytes are its 32-bit outputs, LE.
export function payload (nbytes, seed = PAYLOAD_SEED) {
  const words = new Uint32Array(Math.ceil(nbytes / 4))
  let a = seed | 0
  for (let i = 0; i < words.length; i++) {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    words[i] = (t ^ (t >>> 14)) >>> 0
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host unsupported')
  return Buffer.from(words.buffer, 0, nbytes)
}

// Open ECHO_PROTOCOL on `target` (PeerId, Multiaddr or connection), send
// `data` in CHUNK pieces while concurrently reading the echo, half-close,
// verify.  Resolves to elapsed milliseconds (stream open .. echo complete).
export async function echoTransfer (node, target, data, signal) {
  const start = performance.now()
  const stream = await node.dialProtocol(target, ECHO_PROTOCOL, { signal })
  let received = 0
  let mismatchAt = -1

  const done = new Promise((resolve, reject) => {
    const onAbort = () => { stream.abort(signal.reason); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    const check = () => {
      if (mismatchAt >= 0) return reject(new Error(`echo mismatch at byte offset ${mismatchAt}`))
      if (received !== data.length) return reject(new Error(`echo short: got ${received} of ${data.length} bytes`))
      resolve()
    }
    stream.addEventListener('message', (evt) => {
      const chunks = evt.data instanceof Uint8Array ? [evt.data] : [...evt.data]
      for (const c of chunks) {
        const got = Buffer.from(c.buffer, c.byteOffset, c.byteLength)
        if (mismatchAt < 0) {
          const want = data.subarray(received, received + got.length)
          if (want.length !== got.length) {
            mismatchAt = data.length
          } else if (!want.equals(got)) {
            let i = 0
            while (want[i] === got[i]) i++
            mismatchAt = received + i
          }
        }
        received += got.length
      }
    })
    stream.addEventListener('remoteCloseWrite', () => queueMicrotask(check))
    stream.addEventListener('close', (evt) => {
      signal.removeEventListener('abort', onAbort)
      if (evt.error != null) reject(evt.error)
      else check()
    })
  })
  done.catch(() => {}) // observed below; avoid an unhandled rejection if the writer fails first

  for (let off = 0; off < data.length; off += CHUNK) {
    if (!stream.send(data.subarray(off, Math.min(off + CHUNK, data.length)))) {
      await stream.onDrain({ signal })
    }
  }
  await stream.close({ signal })
  await done
  return Math.round(performance.now() - start)
}

function sha256hex (buf) {
  return createHash('sha256').update(buf).digest('hex')
}

function errText (err) {
  if (err == null) return 'unknown error'
  const name = err.name && err.name !== 'Error' ? `${err.name}: ` : ''
  let msg = `${name}${err.message ?? String(err)}`
  if (err.errors?.length) msg += ` (${err.errors.map(e => e.message).join('; ')})`
  return msg.replace(/\s+/g, ' ').trim()
}

function withTimeout (seconds) {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(new Error(`timed out after ${seconds} s`)), seconds * 1000)
  timer.unref()
  return ac.signal
}

async function stopAndExit (node, code) {
  const t = setTimeout(() => process.exit(code), 2000)
  t.unref()
  try { await node?.stop() } catch {}
  process.exit(code)
}

// ---------------------------------------------------------------- commands

async function cmdListen (opts) {
  const node = await makeNode({
    privateKey: await makeKey(opts.seed),
    listen: [`/ip4/127.0.0.1/tcp/${opts.port}`]
  })
  await node.handle(ECHO_PROTOCOL, handleEcho, { maxInboundStreams: 256 })
  node.addEventListener('connection:open', (evt) => log(`connection open ${evt.detail.remotePeer} ${evt.detail.remoteAddr} (${evt.detail.direction}, ${evt.detail.multiplexer ?? '?'}, ${evt.detail.encryption ?? '?'})`))
  node.addEventListener('connection:close', (evt) => log(`connection closed ${evt.detail.remotePeer} ${evt.detail.remoteAddr}`))
  const shutdown = () => { log('stopping'); stopAndExit(node, 0) }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  const addr = node.getMultiaddrs().find(ma => ma.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr == null) return fail(`no listen address (got ${node.getMultiaddrs().join(' ')})`)
  await new Promise(resolve => process.stdout.write(`LISTEN ${addr.toString()}\n`, resolve))
}

async function cmdDial (opts) {
  if (opts.positional.length !== 1) usage()
  let ma
  try {
    ma = multiaddr(opts.positional[0])
  } catch (err) {
    return fail(`bad multiaddr ${opts.positional[0]}: ${errText(err)}`)
  }
  if (ma.getComponents().find(c => c.name === 'p2p') == null) return fail(`multiaddr must end with /p2p/<peerid>: ${ma}`)
  const signal = withTimeout(opts.timeout)
  let node
  let stage = 'start'
  try {
    node = await makeNode({ privateKey: await makeKey(opts.seed) })
    stage = 'dial'
    const conn = await node.dial(ma, { signal })
    log(`connected to ${conn.remotePeer} via ${conn.remoteAddr} (${conn.multiplexer ?? '?'}, ${conn.encryption ?? '?'})`)
    stage = 'echo'
    const data = payload(opts.bytes)
    const ms = await echoTransfer(node, conn.remotePeer, data, signal)
    process.stdout.write(`ECHO OK ${data.length} ${sha256hex(data)} ${ms}\n`)
    if (opts.ping) {
      stage = 'ping'
      const rtts = []
      for (let i = 0; i < 3; i++) rtts.push(await node.services.ping.ping(conn.remotePeer, { signal }))
      log(`ping rtts ${rtts.join(' ')} ms`)
      process.stdout.write(`PING OK ${Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length)}\n`)
    }
  } catch (err) {
    process.stderr.write(`js_peer: ${stage} failed: ${signal.aborted ? errText(signal.reason) : errText(err)}\n`)
    return stopAndExit(node, 1)
  }
  return stopAndExit(node, 0)
}

async function cmdBenchPair (opts) {
  const signal = withTimeout(opts.timeout)
  setMaxListeners(0, signal) // every round's stream listens on it; bounded by --rounds
  let a, b
  try {
    a = await makeNode({ privateKey: await makeKey(), listen: ['/ip4/127.0.0.1/tcp/0'] })
    b = await makeNode({ privateKey: await makeKey() })
    await a.handle(ECHO_PROTOCOL, handleEcho)
    const conn = await b.dial(a.getMultiaddrs()[0], { signal })
    const data = payload(opts.bytes)
    // One line per round on the same connection: the first runs cold (JIT
    // warm-up), later ones show js at its steady speed.
    for (let round = 0; round < opts.rounds; round++) {
      const ms = await echoTransfer(b, conn.remotePeer, data, signal)
      process.stdout.write(`JS2JS ${data.length} ${ms}\n`)
    }
  } catch (err) {
    process.stderr.write(`js_peer: bench-pair failed: ${signal.aborted ? errText(signal.reason) : errText(err)}\n`)
    await b?.stop().catch(() => {})
    return stopAndExit(a, 1)
  }
  await b.stop().catch(() => {})
  return stopAndExit(a, 0)
}

// ---------------------------------------------------------------- main

function isMain () {
  try {
    return process.argv[1] != null && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) {
  const opts = parseArgs(process.argv.slice(2))
  const cmds = { listen: cmdListen, dial: cmdDial, 'bench-pair': cmdBenchPair }
  const fn = cmds[opts.cmd]
  if (fn == null) usage()
  if (opts.cmd !== 'dial' && opts.positional.length > 0) usage()
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${errText(err)}`))
  fn(opts).catch((err) => fail(`${opts.cmd} failed: ${errText(err)}`))
}
