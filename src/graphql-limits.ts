/** Limits and measurements on every GraphQL request. */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
  type TypeNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Context } from './context';
import { isFault } from './errors';
import { graphqlDuration, graphqlRequests } from './metrics';

export const DEPTH_MAX = 10;
/**
 * The largest legal page costs under this: a person's whole tree, eight
 * wallets (one per currency) each with 100 operations and every field, as
 * nodes and edges, costs ~21,650 (a contract test sends it). Pages of pages
 * (users, each with their wallets' operations) cost far more.
 */
export const COMPLEXITY_MAX = 25_000;

/** Refuses documents nested deeper than `max` fields (fragments followed). */
export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    const depthOf = (node: ASTNode, depth: number, seen: Set<string>): number => {
      if (depth > max) return depth;
      switch (node.kind) {
        case Kind.FIELD: {
          if (!node.selectionSet) return depth;
          return Math.max(
            depth,
            ...node.selectionSet.selections.map((s) => depthOf(s, depth + 1, seen)),
          );
        }
        case Kind.INLINE_FRAGMENT:
        case Kind.OPERATION_DEFINITION:
          return Math.max(
            depth,
            ...node.selectionSet.selections.map((s) => depthOf(s, depth, seen)),
          );
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(node.name.value);
          if (!fragment || seen.has(node.name.value)) return depth;
          const next = new Set(seen).add(node.name.value);
          return Math.max(
            depth,
            ...fragment.selectionSet.selections.map((s) => depthOf(s, depth, next)),
          );
        }
        default:
          return depth;
      }
    };
    return {
      OperationDefinition(operation) {
        // Root fields are level 1. The walk stops once past the limit, so
        // `depth` is a bound, not the real depth: the message says only that.
        const depth = depthOf(operation, 1, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(
              `The query is nested more than ${max} levels deep; at most ${max} are allowed.`,
              { nodes: [operation] },
            ),
          );
        }
      },
    };
  };
}

/**
 * The variables an operation's cost can depend on: the Int ones, since the
 * only estimators that read arguments read page sizes (`first`, an Int; see
 * pageComplexity). Their values, with the operation's name, key the cost.
 */
function costKey(document: DocumentNode, operationName: string | undefined, variables: object) {
  const values = variables as Record<string, unknown>;
  const ints: unknown[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      if (namedType(variable.type) === 'Int') ints.push(values[variable.variable.name.value]);
    }
  }
  return JSON.stringify([operationName ?? null, ints]);
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** How many costs one document keeps (distinct page sizes and operation names). */
const COSTS_PER_DOCUMENT_MAX = 32;

/**
 * Refuses operations whose estimated cost is above COMPLEXITY_MAX (aliases
 * count in full). Estimating walks the whole document, which costs as much as
 * a small request: the cost is kept per parsed document (Apollo hands us the
 * same object for the same query text) and per value of what it depends on.
 */
export function complexityLimit(schema: GraphQLSchema): ApolloServerPlugin<Context> {
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  const estimate = (document: DocumentNode, operationName: string | undefined, variables: object) =>
    getComplexity({
      schema,
      operationName,
      query: document,
      variables: variables as Record<string, unknown>,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const variables = request.variables ?? {};
          const key = costKey(document, request.operationName, variables);
          let known = costs.get(document);
          let complexity = known?.get(key);
          if (complexity === undefined) {
            try {
              complexity = estimate(document, request.operationName, variables);
            } catch {
              // Variables that do not coerce: execution refuses them next, as BAD_USER_INPUT.
              return;
            }
            if (known === undefined) costs.set(document, (known = new Map()));
            if (known.size < COSTS_PER_DOCUMENT_MAX) known.set(key, complexity);
          }
          if (complexity > COMPLEXITY_MAX) {
            throw new GraphQLError(
              `The query is too costly (${complexity}); at most ${COMPLEXITY_MAX} is allowed. Ask for smaller pages or fewer fields.`,
              { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}

/** Counts requests by operation and outcome, and times them. */
export const requestMetrics: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    const started = process.hrtime.bigint();
    return {
      async willSendResponse({ operation: document, errors, contextValue }) {
        // The root field, not the client's operation name: labels stay bounded by the schema.
        const first = document?.selectionSet.selections[0];
        const operation = first?.kind === Kind.FIELD ? first.name.value : 'none';
        const code = errors?.[0]?.extensions?.code;
        const outcome = typeof code === 'string' ? code : 'ok';
        graphqlRequests.inc({ operation, outcome });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        graphqlDuration.observe({ operation }, seconds);
        contextValue.log.debug({ operation, outcome, ms: seconds * 1000 }, 'graphql request');
      },
    };
  },
};

/** Logs each fault of ours with the request id; a client's refusal is not a fault. */
export const faultLogging: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          if (isFault(error)) {
            contextValue.log.error(
              { err: error.originalError ?? error, path: error.path },
              'request failed with an internal error',
            );
          }
        }
      },
    };
  },
};
