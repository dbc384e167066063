'use strict';
// Part of `npm run layers`: SQL is spelled in src/db/ (queries) and
// src/ledger/ (the movements' own writes), never in the floors above them,
// which call named query functions. Fails listing each line that does.
const fs = require('node:fs');
const path = require('node:path');

const ABOVE_THE_DATABASE = ['app', 'graphql', 'http', 'cli'];
const SQL = [
  /\bsql\.(rows|run|rowsOfEach)\s*[<(]/,
  /[`'"]\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s/,
];

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(file);
    else if (file.endsWith('.ts')) yield file;
  }
}

const root = path.resolve(__dirname, '..');
const found = [];
for (const floor of ABOVE_THE_DATABASE) {
  for (const file of files(path.join(root, 'src', floor))) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (SQL.some((pattern) => pattern.test(line))) {
          found.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        }
      });
  }
}
if (found.length > 0) {
  console.error(
    `SQL above src/db/ (move it into a query in src/db/queries/):\n${found.join('\n')}`,
  );
  process.exit(1);
}
console.log(`✔ no SQL above src/db/ (${ABOVE_THE_DATABASE.map((f) => `src/${f}`).join(', ')})`);
