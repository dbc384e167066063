/** Limits and measurements on every GraphQL request. */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Context } from './context';
import { isFault } from './errors';
import { graphqlDuration, graphqlRequests } from './metrics';

export const DEPTH_MAX = 10;
/** Every query the frontend and the tests send costs well under this (a page of 100 costs ~1,500). */
export const COMPLEXITY_MAX = 5_000;

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
        const depth = depthOf(operation, 1, new Set()); // root fields are level 1;
        if (depth > max) {
          context.reportError(
            new GraphQLError(
              `The query is nested ${depth} levels deep; at most ${max} are allowed.`,
              {
                nodes: [operation],
              },
            ),
          );
        }
      },
    };
  };
}

/** Refuses operations whose estimated cost is above COMPLEXITY_MAX (aliases count in full). */
export function complexityLimit(schema: GraphQLSchema): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            // Variables that do not coerce: execution refuses them next, as BAD_USER_INPUT.
            return;
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
