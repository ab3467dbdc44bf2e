/**
 * Response serializers compiled on first use. fastify compiles a fast-json-stringify serializer
 * for every declared response of every route when it starts: with this contract (every status of
 * every operation has a schema) that was the largest cost of start-up, most of it for responses
 * that a given process may never send. The serializer is the same one, built with the same
 * options; only the moment moves, to the first response of that route and status.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type RouteDefinition = Parameters<ReturnType<ReturnType<typeof SerializerSelector>>>[0];
type Serializer = (document: unknown) => string;

export function lazyResponseSerializers() {
  const selectDefault = SerializerSelector();
  return {
    compilersFactory: {
      buildSerializer(externalSchemas: unknown, options: unknown) {
        const compile = selectDefault(externalSchemas, options as never);
        return (route: RouteDefinition): Serializer => {
          let serializer: Serializer | undefined;
          return (document) => (serializer ??= compile(route))(document);
        };
      },
    },
  };
}
