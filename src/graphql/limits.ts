/** Limits and measurements on every GraphQL request. */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getVariableValues,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionNode,
  type TypeNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Context } from './context';
import { isFault } from './error-format';
import { graphqlDuration, graphqlRequests } from '../metrics';

export const DEPTH_MAX = 10;
/** Tokens a document may have; past it the parser stops (Apollo's parseOptions). */
export const TOKENS_MAX = 5_000;
/**
 * The largest legal page costs under this: a person's whole tree, eight
 * wallets (one per currency) each with 100 operations and every field, as
 * nodes and edges, costs ~21,650 (a contract test sends it). Pages of pages
 * (users, each with their wallets' operations) cost far more.
 */
export const COMPLEXITY_MAX = 25_000;

/**
 * Refuses documents nested deeper than `max` fields (fragments followed).
 * Each fragment's own depth is worked out once: walking a spread afresh each
 * time it appears costs 2^n for fragments that each spread the next one twice.
 */
export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    /** Each fragment's depth below the field that spreads it (0: no fields). */
    const fragmentDepths = new Map<string, number>();
    const selectionsDepth = (selections: readonly SelectionNode[]): number =>
      selections.reduce((deepest, selection) => Math.max(deepest, selectionDepth(selection)), 0);
    /** How many levels of fields a selection adds (a field counts itself). */
    const selectionDepth = (selection: SelectionNode): number => {
      switch (selection.kind) {
        case Kind.FIELD:
          return (
            1 + (selection.selectionSet ? selectionsDepth(selection.selectionSet.selections) : 0)
          );
        case Kind.INLINE_FRAGMENT:
          return selectionsDepth(selection.selectionSet.selections);
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const known = fragmentDepths.get(name);
          if (known !== undefined) return known;
          const fragment = fragments.get(name);
          if (!fragment) return 0; // KnownFragmentNames reports it.
          fragmentDepths.set(name, 0); // A cycle counts nothing more; NoFragmentCycles reports it.
          const depth = selectionsDepth(fragment.selectionSet.selections);
          fragmentDepths.set(name, depth);
          return depth;
        }
      }
    };
    return {
      OperationDefinition(operation) {
        const depth = selectionsDepth(operation.selectionSet.selections);
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
 * pageComplexity), and the Boolean ones, which `@include` and `@skip` read
 * to leave whole parts out. Their values, with the operation's name, key
 * the cost: a flag that turns costly parts on must be priced again.
 */
function costKey(document: DocumentNode, operationName: string | undefined, variables: object) {
  const values = variables as Record<string, unknown>;
  const read: unknown[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      if (PRICED_VARIABLE_TYPES.has(namedType(variable.type))) {
        read.push(values[variable.variable.name.value]);
      }
    }
  }
  return JSON.stringify([operationName ?? null, read]);
}

const PRICED_VARIABLE_TYPES = new Set(['Int', 'Boolean']);

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** How many costs one document keeps (distinct page sizes and operation names). */
const COSTS_PER_DOCUMENT_MAX = 32;

/**
 * Nodes the estimate may visit, fragments expanded each time they are spread.
 * The largest legal page visits a few hundred; a document built to cost more
 * to price than to refuse stops here, and is refused.
 */
const PRICED_NODES_MAX = 10_000;

/**
 * Refuses operations whose estimated cost is above COMPLEXITY_MAX (aliases
 * count in full), and any it cannot price: a limit that gives up must not
 * let the document through. Estimating walks the whole document, which costs
 * as much as a small request: the cost is kept per parsed document (Apollo
 * hands us the same object for the same query text) and per value of what it
 * depends on.
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
      maxQueryNodes: PRICED_NODES_MAX,
    });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          const variables = request.variables ?? {};
          // Variables that do not coerce are the client's mistake: execution
          // refuses them next, as BAD_USER_INPUT, and runs nothing.
          const coerced = getVariableValues(
            schema,
            operation?.variableDefinitions ?? [],
            variables,
          );
          if (coerced.errors) return;
          const key = costKey(document, request.operationName, variables);
          let known = costs.get(document);
          let complexity = known?.get(key);
          if (complexity === undefined) {
            try {
              complexity = estimate(document, request.operationName, variables);
            } catch {
              throw tooCostly('The query is too costly to price');
            }
            if (known === undefined) costs.set(document, (known = new Map()));
            if (known.size < COSTS_PER_DOCUMENT_MAX) known.set(key, complexity);
          }
          if (complexity > COMPLEXITY_MAX) {
            throw tooCostly(`The query is too costly (${complexity})`);
          }
        },
      };
    },
  };
}

function tooCostly(reason: string): GraphQLError {
  return new GraphQLError(
    `${reason}; at most ${COMPLEXITY_MAX} is allowed. Ask for smaller pages or fewer fields.`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } },
  );
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
