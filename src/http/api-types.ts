/**
 * The handler contract, typed from the generated `operations` (the only import of generated/).
 * `Handlers` has one key per operationId, so a spec operation without a handler is a compile error.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { components, operations } from './generated/openapi.js';

export type OperationId = keyof operations;
export type Schemas = components['schemas'];

type ContentOf<T> = T extends { content: infer C } ? C : never;
type BodyContent<C> = C extends { 'application/json': infer J }
  ? J
  : C extends { 'multipart/form-data': infer M }
    ? M
    : undefined;

export type BodyOf<K extends OperationId> = operations[K] extends { requestBody?: infer R }
  ? BodyContent<ContentOf<NonNullable<R>>>
  : undefined;
type ParametersOf<K extends OperationId> = operations[K]['parameters'];
export type QueryOf<K extends OperationId> = NonNullable<ParametersOf<K>['query']>;
export type PathParamsOf<K extends OperationId> = NonNullable<ParametersOf<K>['path']>;

type Responses<K extends OperationId> = operations[K]['responses'];
/** The JSON body of the operation's 200/201 answer. */
export type SuccessBodyOf<K extends OperationId> = {
  [S in keyof Responses<K>]: S extends 200 | 201
    ? Responses<K>[S] extends { content: { 'application/json': infer B } }
      ? B
      : never
    : never;
}[keyof Responses<K>];

export type OperationRequest<K extends OperationId> = FastifyRequest<{
  Body: BodyOf<K>;
  Querystring: QueryOf<K>;
  Params: PathParamsOf<K>;
}>;

/** A handler answers with its success body, or sends the reply itself (204s, files). */
export type OperationHandler<K extends OperationId> = (
  request: OperationRequest<K>,
  reply: FastifyReply,
) => Promise<SuccessBodyOf<K> | FastifyReply>;

export type Handlers = { [K in OperationId]: OperationHandler<K> };
