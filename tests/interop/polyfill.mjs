// Node 20 lacks Promise.withResolvers (added in Node 22); libp2p 3.x, yamux
// and @libp2p/utils call it. This module must be evaluated before any libp2p
// module: js_peer.mjs imports it first (ES modules evaluate imports in order),
// or use `node --import ./polyfill.mjs your-script.mjs`.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}
