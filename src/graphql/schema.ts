import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { authChecker } from './auth-checker';
import { RESOLVERS } from './resolvers';
import { validateArgument } from './validation';

let built: GraphQLSchema | null = null;

/** The schema, generated from the resolver classes (once per process). */
export function walletSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: RESOLVERS,
    authChecker,
    validateFn: validateArgument,
  });
  return built;
}

/** What `schema.graphql` holds: the SDL, sorted so the committed file is stable. */
export function schemaText(): string {
  return printSchema(lexicographicSortSchema(walletSchema())) + '\n';
}
