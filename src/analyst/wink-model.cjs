'use strict';
// wink's English model, required when first asked for rather than when nlp.ts is imported:
// it is ~3 MB of data that takes a few hundred milliseconds to evaluate, which a Worker would
// otherwise pay at start-up (Cloudflare allows 1 s) and a Node process that never runs the
// analyst would pay for nothing. CommonJS because only `require` can load a module lazily and
// synchronously; bundlers (wrangler's esbuild) turn this require into an on-call initializer.
module.exports = function loadWinkModel() {
  return require('wink-eng-lite-web-model');
};
