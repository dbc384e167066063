/**
 * The service's floors, and which may import which (docs/contributing.md):
 * cli → http → graphql → app → ledger → db → domain, each arrow pointing
 * down, and no cycles. `npm run check` fails on any other arrow.
 */
const LAYERS = {
  domain: '^src/domain/',
  base: '^src/(config|logger|metrics)\\.ts$',
  db: '^src/db/',
  ledger: '^src/ledger/',
  app: '^src/app/',
  graphql: '^src/graphql/',
  http: '^src/http/',
  cli: '^src/cli/',
};

/** A rule that `from` may import nothing of `to`. */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle makes load order matter (and type-graphql decorators break on it).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid(
      'domain-imports-nothing-of-ours',
      'domain/ is the floor every layer shares: it imports only domain/.',
      LAYERS.domain,
      '^src/(?!domain/)',
    ),
    forbid(
      'base-imports-only-domain',
      'config, logger and metrics sit just above domain/.',
      LAYERS.base,
      '^src/(db|ledger|app|graphql|http|cli)/',
    ),
    forbid(
      'db-below-ledger',
      'db/ is the door to the database: it knows no movement, use case or request.',
      LAYERS.db,
      '^src/(ledger|app|graphql|http|cli)/',
    ),
    forbid(
      'ledger-below-app',
      'ledger/ moves money for the application functions; it knows no use case or request.',
      LAYERS.ledger,
      '^src/(app|graphql|http|cli)/',
    ),
    forbid(
      'app-below-graphql',
      'app/ holds the use cases; GraphQL, HTTP and the command line call it, never the reverse.',
      LAYERS.app,
      '^src/(graphql|http|cli)/',
    ),
    forbid(
      'graphql-through-app',
      'Resolvers translate to one application function: they never reach the ledger or the database.',
      LAYERS.graphql,
      '^src/(db|ledger|http|cli)/',
    ),
    forbid(
      'http-through-app',
      'Routes call application functions, never the ledger or the database.',
      LAYERS.http,
      '^src/(db|ledger|cli)/',
    ),
    forbid(
      'cli-through-app',
      'The command line opens and migrates the database (it wires the service together), and ' +
        'otherwise calls application functions: never the ledger or the queries.',
      LAYERS.cli,
      '^src/(ledger|db/queries)/',
    ),
    forbid(
      'web-is-the-browser',
      "The frontend runs in the browser and shares nothing with the server's code.",
      '^src/web/',
      '^src/(?!web/)',
    ),
    forbid(
      'tests-stay-in-tests',
      'Benchmarks and the server use testkit/, never tests/.',
      '^(src|bench|testkit)/',
      '^tests/',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: an arrow is an arrow.
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};
