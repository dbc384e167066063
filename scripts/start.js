'use strict';
// `npm start`: build when stale, then `wallet serve` in this very process.
// npm does not pass SIGTERM on to its child: send signals to this process's pid
// (or run `wallet serve` / `node dist/src/cli/main.js serve` directly under a supervisor).
require('./build-if-stale.js').buildIfStale();
require('../dist/src/cli/main.js')
  .main(['serve'])
  .then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
