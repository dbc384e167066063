#!/usr/bin/env node
'use strict';
// The `wallet` command: the compiled CLI (npm install builds it; npm start rebuilds when stale).
require('../scripts/build-if-stale.js').buildIfStale();
require('../dist/src/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
