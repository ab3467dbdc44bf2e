/**
 * The one catalog of errors a client can see. Each entry has a stable code (logs, tests), the
 * HTTP status and Barong's message. Only http/error-handler.ts turns an AppError into a body.
 */
const catalog = {
  // 400
  VALIDATION_FAILED: { status: 400, message: 'Invalid parameters' },
  BAD_REQUEST_BODY: { status: 400, message: 'Request body is malformed' },
  BAD_URL: { status: 400, message: 'Request URL is malformed' },
  OTP_ALREADY_ENABLED: { status: 400, message: 'You are already enabled 2FA' },
  OTP_NOT_ENABLED: { status: 400, message: 'You need to enable 2FA first' },
  API_KEYS_NEED_OTP: { status: 400, message: 'Only accounts with enabled 2FA alowed' },
  LABEL_READ_ONLY: { status: 400, message: "Can't update Label." },
  PHONE_INVALID: { status: 400, message: 'Phone number is invalid' },
  PHONE_TAKEN: { status: 400, message: 'Phone number is already exists' },
  // 401
  TOKEN_INVALID: { status: 401, message: 'The access token is invalid' },
  TOKEN_EXPIRED: { status: 401, message: 'The access token expired' },
  /** Issued before a password change or reset, a 2FA reset or a role change of its account. */
  SESSION_REVOKED: { status: 401, message: 'The session was revoked, please sign in again' },
  /** Renewal past SESSION_MAX_LIFETIME from the sign-in. */
  SESSION_TOO_OLD: { status: 401, message: 'The session is too old to renew, please sign in again' },
  ACCOUNT_MISSING: { status: 401, message: 'Account does not exist' },
  ACCOUNT_INACTIVE: { status: 401, message: 'Account is not active' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid Email or password.' },
  WRONG_APPLICATION: { status: 401, message: 'Wrong application id' },
  EMAIL_NOT_CONFIRMED: {
    status: 401,
    message: 'You have to confirm your email address before continuing.',
  },
  ACCOUNT_LOCKED: {
    status: 401,
    message: 'Your account is locked after too many failed attempts. Try again later or reset your password.',
  },
  INVALID_PASSWORD: { status: 401, message: 'Invalid password.' },
  /** The client JWT of an API-key session; the body adds the reason after a colon. */
  API_KEY_JWT_INVALID: { status: 401, message: 'Failed to decode and verify JWT' },
  OPERATOR_AUTH_REQUIRED: { status: 401, message: 'The access token is invalid' },
  // 403
  ACCESS_DENIED: { status: 403, message: 'Access denied' },
  SIGN_IN_OTP_MISSING: { status: 403, message: 'The account has enabled 2FA but OTP code is missing' },
  SIGN_IN_OTP_INVALID: { status: 403, message: 'OTP code is invalid' },
  OPERATOR_OTP_REQUIRED: { status: 403, message: 'Two-factor authentication is required for operators' },
  /** 2FA on but no secret: an account imported from Barong whose Vault secret did not come along. */
  OTP_REENROLMENT_REQUIRED: {
    status: 403,
    message: 'Two-factor authentication must be set up again: please contact support',
  },
  // 404
  NOT_FOUND: { status: 404, message: 'Record is not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Not found' },
  PROFILE_MISSING: { status: 404, message: 'Account has no profile' },
  PHONE_CODE_INVALID: { status: 404, message: 'Phone is not found or verification code is invalid' },
  // 409
  PROFILE_EXISTS: { status: 409, message: 'Profile already exists' },
  REVIEW_ALREADY_DECIDED: { status: 409, message: 'Review is already decided' },
  // 413
  UPLOAD_TOO_LARGE: { status: 413, message: 'Upload is too large (maximum is 10 MB)' },
  BODY_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  // 415
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  // 422
  INVALID_REDIRECT_URI: { status: 422, message: 'Redirect uri must be an absolute URI' },
  INVALID_ACCOUNT: { status: 422, message: 'Account is invalid' },
  CONFIRMATION_TOKEN_INVALID: { status: 422, message: 'Confirmation token is invalid' },
  CONFIRMATION_TOKEN_EXPIRED: {
    status: 422,
    message: 'Confirmation token has expired, please request a new one',
  },
  EMAIL_ALREADY_CONFIRMED: {
    status: 422,
    message: 'Email was already confirmed, please try signing in',
  },
  RESET_TOKEN_EXPIRED: {
    status: 422,
    message: 'Reset password token has expired, please request a new one',
  },
  INVALID_NEW_PASSWORD: { status: 422, message: 'Password is invalid' },
  EXPIRES_IN_OUT_OF_RANGE: { status: 422, message: 'Expires in is out of range' },
  OTP_CODE_INVALID: { status: 422, message: 'Your code is invalid' },
  /** API key rule failures (public key, scopes, state); the body names the rule. */
  INVALID_API_KEY: { status: 422, message: 'Api key is invalid' },
  API_KEY_NOT_OWNED: { status: 422, message: 'Account has no api key with provided uid' },
  INVALID_PROFILE: { status: 422, message: 'Profile is invalid' },
  INVALID_LABEL: { status: 422, message: 'Label is invalid' },
  OWN_ROLE_CHANGE: { status: 422, message: "Can't change the role of your own account" },
  OWN_OTP_DISABLE: { status: 422, message: "Can't disable 2FA of your own account" },
  /** Review decision rule failures; the body names the rule ("Reason can't be blank", ...). */
  INVALID_REVIEW: { status: 422, message: 'Review is invalid' },
  /** Document rule failures; the body lists every failing rule, joined by ", ". */
  INVALID_DOCUMENT: { status: 422, message: 'Document is invalid' },
  /** DOCUMENTS_LIMIT reached (Barong 1.8.27 answered it with 400). */
  DOCUMENTS_LIMIT_REACHED: { status: 422, message: 'Maximum number of documents was reached' },
  DOCUMENTS_SIZE_LIMIT_REACHED: { status: 422, message: 'Maximum total size of documents was reached' },
  // 429 / 5xx
  RATE_LIMITED: { status: 429, message: 'Too many requests, please try again later' },
  SMS_FAILED: { status: 502, message: 'Something wrong with Twilio Client' },
  BUSY: { status: 503, message: 'Server is busy, please try again later' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'Database is unavailable' },
  /** Readiness while the server drains before a stop (SIGTERM). */
  SHUTTING_DOWN: { status: 503, message: 'Server is shutting down' },
  INTERNAL: { status: 500, message: 'Something went wrong' },
  // Management API (/management_api/v1), Barong's messages, in the order its checks run.
  MANAGEMENT_METHOD_NOT_ALLOWED: { status: 405, message: 'Only POST and PUT verbs are allowed.' },
  MANAGEMENT_QUERY_NOT_ALLOWED: { status: 400, message: 'Query parameters are not allowed.' },
  MANAGEMENT_JSON_ONLY: { status: 400, message: 'Only JSON body is accepted.' },
  MANAGEMENT_JWT_UNPARSABLE: { status: 400, message: "Couldn't parse JWT." },
  MANAGEMENT_JWT_INVALID: { status: 401, message: 'Failed to verify JWT.' },
  MANAGEMENT_NOT_ENOUGH_SIGNATURES: { status: 401, message: 'Not enough signatures for the action.' },
  /** The action's `data` breaks its schema; the body is Grape's text ("key is missing, key is empty"). */
  MANAGEMENT_INVALID_PARAMS: { status: 422, message: 'Invalid parameters' },
  MANAGEMENT_PARAMS_EXCLUSIVE: { status: 422, message: 'uid, email are mutually exclusive' },
  MANAGEMENT_PARAMS_MISSING: { status: 422, message: 'uid, email are missing, exactly one parameter must be provided' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof catalog;
export type ErrorBody = string | string[];

export class AppError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  /** Seconds a client should wait; sent as Retry-After. */
  readonly retryAfter?: number;

  constructor(readonly code: ErrorCode, body?: ErrorBody, options: { retryAfter?: number } = {}) {
    const entry = catalog[code];
    const text = body ?? entry.message;
    super(Array.isArray(text) ? text.join(', ') : text);
    this.name = 'AppError';
    this.status = entry.status;
    this.body = text;
    this.retryAfter = options.retryAfter;
  }
}
