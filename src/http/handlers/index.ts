import type { Deps } from '../../domain/deps.js';
import type { Handlers } from '../api-types.js';
import { accountHandlers } from './accounts.js';
import { adminHandlers } from './admin.js';
import { apiKeyHandlers } from './api-keys.js';
import { applicationHandlers } from './applications.js';
import { documentHandlers } from './documents.js';
import { healthHandlers } from './health.js';
import { labelHandlers } from './labels.js';
import { outboxHandlers } from './outbox.js';
import { managementHandlers } from './management.js';
import { passwordResetHandlers } from './passwords.js';
import { phoneHandlers } from './phones.js';
import { profileHandlers } from './profiles.js';
import { sessionHandlers } from './sessions.js';
import { twoFactorHandlers } from './two-factor.js';

export function createHandlers(deps: Deps): Handlers {
  return {
    ...accountHandlers(deps),
    ...sessionHandlers(deps),
    ...passwordResetHandlers(deps),
    ...healthHandlers(deps),
    ...applicationHandlers(deps),
    ...profileHandlers(deps),
    ...labelHandlers(deps),
    ...adminHandlers(deps),
    ...twoFactorHandlers(deps),
    ...apiKeyHandlers(deps),
    ...phoneHandlers(deps),
    ...documentHandlers(deps),
    ...outboxHandlers(deps),
    ...managementHandlers(deps),
  };
}
