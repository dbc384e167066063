/** Express, sessions and Apollo wired together; nothing else. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import express, { type ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import session from 'express-session';
import { DatabaseSessionStore } from './session-store';
import { databaseReady } from '../app/health';
import { sessionRecords } from '../app/sessions';
import { clusterMetrics, isWorker } from './cluster-metrics';
import type { Context } from '../graphql/context';
import type { Services } from '../app/services';
import { INTERNAL_MESSAGE } from '../domain/errors';
import { formatError } from '../graphql/error-format';
import { callerOf } from './session-caller';
import type { Logger } from '../logger';
import {
  DEPTH_MAX,
  TOKENS_MAX,
  complexityLimit,
  depthLimit,
  faultLogging,
  requestMetrics,
} from '../graphql/limits';
import { metricsAccess } from './metrics-access';
import { registry } from '../metrics';
import { walletSchema } from '../graphql/schema';
import { statementCsvRoute } from './statement-csv-route';

export const SESSION_COOKIE = 'wallet.sid';
export const BODY_LIMIT = '100kb';

/** A client's request id, kept only when it is a plain token; otherwise one of ours. */
function requestIdOf(req: express.Request): string {
  const sent = req.get('x-request-id');
  return sent !== undefined && REQUEST_ID.test(sent) ? sent : randomUUID();
}
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * "Did you mean …?" names fields, arguments and enum values; with
 * introspection off, no error may reveal the schema. Apollo's own option
 * cleans validation errors only, not those about variables' values.
 */
function withoutSuggestions(format: typeof formatError): typeof formatError {
  return (formatted, thrown) => {
    const answer = format(formatted, thrown);
    return { ...answer, message: answer.message.replace(/ ?Did you mean .+\?$/s, '') };
  };
}

export interface App {
  express: express.Express;
  apollo: ApolloServer<Context>;
  sessions: DatabaseSessionStore;
  /** Flips /readyz to 503 while the process shuts down. */
  markShuttingDown(): void;
}

/**
 * Anything thrown outside GraphQL answers in GraphQL's shape, never with a
 * stack trace: a body that is not JSON or too large is the client's (400/413,
 * Apollo's BAD_REQUEST); anything else, such as the session store failing
 * while the database is away, is ours (500, logged with the request id).
 */
function errorResponder(log: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = Number(error?.status ?? error?.statusCode ?? 500);
    if (status === 413 || error?.type === 'entity.too.large') {
      res.status(413).json({
        errors: [
          {
            message: `The request body is larger than ${BODY_LIMIT}.`,
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
      return;
    }
    if (status >= 400 && status < 500) {
      // A body that does not parse, or a path that does not decode (`/%zz`).
      const message =
        error?.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : 'The request could not be read.';
      res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const requestId = requestIdOf(req);
    log.error({ err: error, requestId, path: req.path }, 'request failed outside GraphQL');
    res.status(500).json({
      errors: [{ message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}

/**
 * The headers a helmet middleware sets, worked out once: with our options
 * they are the same on every response, and setting them from a list saves a
 * dozen middleware calls per request.
 */
function fixedHeaders(middleware: ReturnType<typeof helmet>): [string, string][] {
  const headers = new Map<string, string>();
  let finished = false;
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  middleware({} as never, response as never, () => (finished = true));
  assert.ok(finished, 'helmet sets its headers synchronously');
  return [...headers];
}

/** Apollo over the wallet's schema, bounded before any resolver runs, and started. */
async function startApollo(services: Services): Promise<ApolloServer<Context>> {
  const schema = walletSchema();
  const introspection = !services.config.production;
  const apollo = new ApolloServer<Context>({
    schema,
    introspection,
    // Apollo's CSRF check would refuse a plain GET query (it wants a preflight
    // header). What it guards against is covered here: mutations only over
    // POST, POST bodies only as JSON (a cross-site form cannot send that
    // without CORS, which is off), and a SameSite=Lax cookie that cross-site
    // subrequests do not carry. See docs/design.md, Cross-site requests.
    csrfPrevention: false,
    allowBatchedHttpRequests: false,
    // No client of ours sends query hashes; a cache anyone can fill is not worth keeping.
    persistedQueries: false,
    validationRules: [depthLimit(DEPTH_MAX)],
    // Every parse is bounded before any rule walks the document: the largest
    // legal query (a person's whole tree) has about 300 tokens.
    parseOptions: { maxTokens: TOKENS_MAX },
    // "Did you mean …?" would name fields that introspection, off in production, hides.
    hideSchemaDetailsFromClientErrors: !introspection,
    includeStacktraceInErrorResponses: false,
    // The process owns shutdown (cli/main.ts): Apollo's own signal handlers would
    // race it and leave our stop() waiting forever.
    stopOnTerminationSignals: false,
    formatError: introspection ? formatError : withoutSuggestions(formatError),
    plugins: [
      complexityLimit(schema),
      faultLogging,
      requestMetrics,
      // Apollo's cache-control plugin is on by default and wraps every field's
      // resolver to work out a cache policy; a wallet's answers are private and
      // never cached, so that was work on every field of every request for nothing.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads its sandbox from the internet: none, rather than a blank page.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  return apollo;
}

/**
 * Security headers everywhere; a strict CSP for pages (the frontend needs
 * nothing outside this origin), none on the JSON API, where it means nothing.
 */
function securityHeaders(config: Services['config']): express.RequestHandler {
  // Asking the browser to fetch the page's own files over https is right only
  // where https is served: behind a TLS-terminating proxy, or in production.
  // Over plain HTTP on a LAN address it left the page blank (no styles, no app).
  const behindTls = config.production || config.trustProxy !== false;
  const pageHeaders = fixedHeaders(
    helmet({
      contentSecurityPolicy: {
        directives: { upgradeInsecureRequests: behindTls ? [] : null },
      },
    }),
  );
  const apiHeaders = fixedHeaders(helmet({ contentSecurityPolicy: false }));
  return (req, res, next) => {
    for (const [name, value] of req.path.startsWith('/graphql') ? apiHeaders : pageHeaders) {
      res.setHeader(name, value);
    }
    next();
  };
}

/** The session cookie, its rows in the service's database. */
function sessionCookie(
  sessions: DatabaseSessionStore,
  sessionSecret: string,
  config: Services['config'],
): express.RequestHandler {
  return session({
    name: SESSION_COOKIE,
    store: sessions,
    secret: sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // Secure whenever the request came over HTTPS (directly, or per a trusted proxy).
      secure: 'auto',
      maxAge: config.sessionIdleTimeoutMs,
      path: '/',
    },
  });
}

/** /graphql: a JSON body of bounded size, the session, then Apollo with a context per request. */
function graphqlRoute(apollo: ApolloServer<Context>, services: Services): express.RequestHandler {
  return expressMiddleware(apollo, {
    context: async ({ req, res }): Promise<Context> => {
      const requestId = requestIdOf(req);
      res.setHeader('x-request-id', requestId);
      return {
        req,
        res,
        requestId,
        caller: callerOf(req),
        services,
        log: services.log.child({ requestId }),
      };
    },
  });
}

export async function createApp(services: Services, sessionSecret: string): Promise<App> {
  const { config, db, log } = services;
  const apollo = await startApollo(services);
  const sessions = new DatabaseSessionStore(
    sessionRecords(db),
    config.sessionIdleTimeoutMs,
    config.sessionAbsoluteTimeoutMs,
  );
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body into an ETag; nothing here is cached
  // by validation (GraphQL answers are POSTs), so that was a SHA-1 per request.
  // The static frontend keeps its own ETags (serve-static sets them itself).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders(config));

  let shuttingDown = false;
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = !shuttingDown && (await databaseReady(services));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });
  app.get('/metrics', metricsAccess(config.metricsToken), async (_req, res) => {
    const text = isWorker() ? await clusterMetrics() : await registry.metrics();
    res.type(registry.contentType).send(text);
  });

  const withSession = sessionCookie(sessions, sessionSecret, config);
  app.get('/wallets/:id/statement.csv', withSession, statementCsvRoute(services));
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT }),
    withSession,
    graphqlRoute(apollo, services),
  );
  app.use(errorResponder(log));
  // The built frontend (dist/src/http/app.js -> dist/web).
  app.use(express.static(path.resolve(__dirname, '..', '..', 'web')));

  return {
    express: app,
    apollo,
    sessions,
    markShuttingDown: () => {
      shuttingDown = true;
    },
  };
}
