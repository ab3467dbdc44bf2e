/** Operations that later work builds: they answer 501 until then and never pretend to work. */
import { AppError } from '../../errors.js';
import type { OperationId } from '../api-types.js';

export function notImplemented<K extends OperationId>(operationIds: readonly K[]) {
  const fail = async (): Promise<never> => {
    throw new AppError('NOT_IMPLEMENTED');
  };
  return Object.fromEntries(operationIds.map((id) => [id, fail])) as { [P in K]: typeof fail };
}
