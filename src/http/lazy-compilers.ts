/**
 * Request validators and response serializers compiled on first use. fastify compiles an Ajv
 * validator for every part of every route's request and a fast-json-stringify serializer for every
 * declared response when it starts: with this contract (about 60 operations, every status with a
 * schema) that was the largest cost of start-up and of the idle heap, most of it for routes a given
 * process may never serve. The compiled functions are the same ones, built by the same compilers
 * with the same options; only the moment moves, to the first request (or response) that needs one.
 * Every operation is exercised by the test suite (the contract fuzz test among others), so a schema
 * that does not compile still fails the build, not a user.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type BuildValidator = ReturnType<typeof AjvCompiler>;
type RouteValidation = Parameters<ReturnType<BuildValidator>>[0];
type RouteSerialization = Parameters<ReturnType<ReturnType<typeof SerializerSelector>>>[0];
type Serializer = (document: unknown) => string;

interface Validator {
  (data: unknown, context?: unknown): unknown;
  errors?: unknown;
  /** fastify passes the parent (so Ajv may coerce or default a root value) to validators that have one. */
  schemaEnv?: unknown;
}

export function lazySchemaCompilers() {
  const selectValidator = AjvCompiler();
  const selectSerializer = SerializerSelector();
  return {
    compilersFactory: {
      buildValidator(externalSchemas: unknown, options: unknown) {
        const compile = selectValidator(externalSchemas as never, options as never);
        return (route: RouteValidation): ReturnType<ReturnType<BuildValidator>> => {
          let validator: Validator | undefined;
          const lazy: Validator = (data, context) => {
            validator ??= compile(route) as Validator;
            const result = validator(data, context);
            lazy.errors = validator.errors;
            return result;
          };
          lazy.schemaEnv = true;
          // fastify only calls it and reads `errors` and `schemaEnv`, as declared on Validator.
          return lazy as unknown as ReturnType<ReturnType<BuildValidator>>;
        };
      },
      buildSerializer(externalSchemas: unknown, options: unknown) {
        const compile = selectSerializer(externalSchemas, options as never);
        return (route: RouteSerialization): Serializer => {
          let serializer: Serializer | undefined;
          return (document) => (serializer ??= compile(route))(document);
        };
      },
    },
  };
}
