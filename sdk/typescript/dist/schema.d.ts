export type paths = {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Public keys for session JWTs
         * @description The JSON Web Key Set of the public keys that verify session JWTs (match the JWT header `kid`). During key rotation several keys are listed. Served at the root, outside `/api`.
         */
        get: operations["getWellKnownJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/management_api/v1/labels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Update a private label
         * @description Sets the value of the account's existing **private** label `key` and recomputes its level. Scope `write_labels`.
         *
         *     `data`: `ManagementLabelData`. 404 `"Record is not found"` (no such account, or no private label with this key); 422 label rule failures and missing parameters. Authentication errors as described for the tag.
         */
        put: operations["putManagementV1Labels"];
        /**
         * Create a private label
         * @description Creates a **private** label `key` = `value` on the account `account_uid` and recomputes its level, exactly as an operator's change (`PUT /v1/admin/accounts/{uid}/labels/{key}`) does. Scope `write_labels`.
         *
         *     `data`: `ManagementLabelData`. 404 `"Record is not found"` (no such account); 422 `"Key has already been taken"` when the account already has a private label with this key, label rule failures (`"Key is invalid"`, ...) and missing parameters (`"key is missing, key is empty"`). Authentication errors as described for the tag.
         */
        post: operations["postManagementV1Labels"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/management_api/v1/labels/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete a private label
         * @description Deletes the account's **private** label `key` and recomputes its level. Scope `write_labels`.
         *
         *     `data`: `ManagementLabelKeyData`. 404 `"Record is not found"` (no such account, or no private label with this key); 422 missing parameters. Authentication errors as described for the tag.
         */
        post: operations["postManagementV1LabelsDelete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/management_api/v1/timestamp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Server time
         * @description Answers the server time in seconds since the Unix epoch (status 200, as Barong's code answered; its generated document said 201). Scope `tools`; `data` is ignored. Authentication errors as described for the tag.
         */
        post: operations["postManagementV1Timestamp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/management_api/v1/users/get": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Get an account with its KYC data
         * @description Beyond Barong 1.8 (as Barong 2's `read_users` action): the account given by `uid` or by `email` (exactly one), with its labels, profile, phones and documents. Scope `read_users`.
         *
         *     `data`: `ManagementUserGetData`. 404 `"Record is not found"`; 422 `"uid, email are missing, exactly one parameter must be provided"` or `"uid, email are mutually exclusive"`. Authentication errors as described for the tag.
         */
        post: operations["postManagementV1UsersGet"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/management_api/v1/users/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * List accounts
         * @description Beyond Barong 1.8 (as Barong 2's `read_users` action): one page of accounts, oldest first. Scope `read_users`.
         *
         *     `data`: `ManagementUserListData` (`page` from 1, `limit` 1..100, default 100). 422 for a page or limit out of range. Authentication errors as described for the tag.
         */
        post: operations["postManagementV1UsersList"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign up
         * @description Creates an account (role `member`, level 0, state `pending`) and emails the confirmation instructions.
         *     No token is returned; the user must confirm the email before signing in.
         *
         *     Order of checks: 400 for missing or empty parameters (e.g. `"email is missing, email is empty, password is
         *     missing, password is empty"`); then 422 with an **array** of Barong messages, e.g.
         *     `["Email is invalid"]`, `["Email has already been taken"]`,
         *     `["Password must contain big, small letters and digits"]`,
         *     `["Password is too short (minimum is 6 characters)"]`; 429 with `Retry-After` past the per-address rate
         *     limit (`RATE_LIMIT_SIGN_UP_PER_IP`); 503 with `Retry-After` when the password-hashing queue is full.
         */
        post: operations["postV1Accounts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm email
         * @description Confirms the account with the token from the confirmation email: sets the state to `active` and the
         *     private label `email` to `verified` (level becomes at least 1).
         *
         *     Errors: 400 `"confirmation_token is missing, confirmation_token is empty"`; 422
         *     `"Confirmation token is invalid"` (unknown or expired token); 422
         *     `"Email was already confirmed, please try signing in"`; 429 with `Retry-After` past the per-address rate
         *     limit on tokens tried (`RATE_LIMIT_CONFIRM_PER_IP`), counted before the token is looked up.
         */
        post: operations["postV1AccountsConfirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current account
         * @description Returns the signed-in account: `uid`, `email`, `role`, `level`, `state` and `otp_enabled`.
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1AccountsMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change password
         * @description Changes the password of the signed-in account.
         *
         *     The change ends every session of the account, this one included (sign in again with the new password),
         *     and mails the owner "Your password was changed".
         *
         *     Order of checks: 400 for missing parameters (`"old_password is missing"`, `"new_password is missing"`);
         *     401 token errors; 429 with `Retry-After` once `old_password` was wrong 5 times in a row (per account, 15
         *     minutes; counted before it is checked, so parallel guesses get no further); 401 `"Invalid password."`
         *     when `old_password` is wrong; 422 when the new password
         *     breaks a rule (`"Password must contain big, small letters and digits"`,
         *     `"Password must be different than the current password."`; Barong answered 500 here); 503 with
         *     `Retry-After` when the password-hashing queue is full.
         */
        put: operations["putV1AccountsPassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/send_confirmation_instructions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend confirmation email
         * @description Sends a new confirmation email (as Barong 1.8.13) when a pending account has this email. The answer is
         *     always 201 whether or not the email exists, so the endpoint cannot be used to enumerate accounts.
         *
         *     Errors: 400 `"email is missing, email is empty"`, `"email is too long"` (over 255 characters); 429 past the
         *     per-email or per-address rate limit.
         */
        post: operations["postV1AccountsSendConfirmationInstructions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List accounts
         * @description Lists accounts, oldest first, optionally filtered by exact email.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 400 when `limit` or `offset` is out of range.
         */
        get: operations["getV1AdminAccounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an account with its KYC data
         * @description Returns the account with its labels, profile, phones and documents.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 404 `"Record is not found"`.
         */
        get: operations["getV1AdminAccountsUid"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{uid}/documents/{id}/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A document file, for reviewers
         * @description Streams the stored file of one of the account's documents with its detected content type, as the
         *     owner's download does (`X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`), but
         *     images (JPEG, PNG) are sent `Content-Disposition: inline` so a reviewer sees them, and PDFs as an
         *     attachment.
         *
         *     Roles: `admin`, `compliance` (with 2FA on), or the operator token. 401; 403 `"Access denied"`;
         *     403 `"Two-factor authentication is required for operators"`; 400 `"id is invalid"`; 404 `"Record is
         *     not found"` when the account or the document does not exist, or the document is another account's.
         */
        get: operations["getV1AdminAccountsUidDocumentsIdFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{uid}/labels/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a private label
         * @description Creates or updates a **private** label and recomputes the level in the same transaction. A `document` label set to `verified` or `rejected` also sends the "Your identity was approved" / "Your identity was rejected" email after the commit, when the value changes (setting the same value again sends nothing).
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 400 `"value is missing, value is empty"`; 404 `"Record is not found"`; 422 label rule failures (`"Key is invalid"`, `"Value is invalid"`, ...).
         */
        put: operations["putV1AdminAccountsUidLabelsKey"];
        post?: never;
        /**
         * Delete a private label
         * @description Deletes a private label and recomputes the level.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 404 `"Record is not found"` (no account or no such private label).
         */
        delete: operations["deleteV1AdminAccountsUidLabelsKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{uid}/otp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Disable an account's 2FA
         * @description Turns 2FA off and deletes the TOTP secret (e.g. for a user who lost the device).
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 404 `"Record is not found"`; 422 `"Can't disable 2FA of your own account"` when an admin session targets its own account.
         */
        delete: operations["deleteV1AdminAccountsUidOtp"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{uid}/role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change an account's role
         * @description Sets the role (`admin`, `compliance` or `member`). Session JWTs carry the role from their issue time, but
         *     admin access follows the account's current role at once.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 400 for a missing or unknown role; 404 `"Record is not found"`; 422 `"Can't change the role of your own account"` when an admin session changes its own role (so a session never demotes the last admin; the operator token may).
         */
        put: operations["putV1AdminAccountsUidRole"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List client applications
         * @description Lists the client applications whose `uid` is accepted as `application_id` by `POST /v1/sessions`.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account.
         */
        get: operations["getV1AdminApplications"];
        put?: never;
        /**
         * Create a client application
         * @description Creates a client application with a new `uid`.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 400 `"name is missing, name is empty"`; 422 `"Redirect uri must be an absolute URI"` when `redirect_uri` is not an absolute URI (or carries a fragment).
         */
        post: operations["postV1AdminApplications"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The operators' audit trail
         * @description Operator actions, newest first: review decisions, label changes, role changes, 2FA resets and
         *     application changes, made through the API, the CLI or the console. Records are append-only.
         *
         *     Roles: `admin`, `compliance` (with 2FA on), or the operator token. 401; 403 `"Access denied"`;
         *     403 `"Two-factor authentication is required for operators"`; 400 when `limit` or `offset` is out of
         *     range.
         */
        get: operations["getV1AdminAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/outbox/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List outbox jobs
         * @description Lists the mails and Event API events waiting in the outbox, oldest first: `dead` ones (given up after
         *     `OUTBOX_MAX_ATTEMPTS` failed attempts, kept until an operator retries them) by default, or `pending` ones
         *     (waiting for their first or next attempt). Delivered jobs are deleted. A mail's text (its link and token)
         *     is not shown.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 400 when `state`, `limit` or `offset` is out of range.
         */
        get: operations["getV1AdminOutboxJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/outbox/jobs/{job_uid}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry a dead outbox job
         * @description Puts a dead job back in the queue, due now, with its count of attempts reset; it keeps its uid (the mail's
         *     Message-ID, the event's `jti`).
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account. 404 `"Record is not found"` when there is no dead job with this uid.
         */
        post: operations["postV1AdminOutboxJobsJobUidRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/outbox/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry every dead outbox job
         * @description Puts every dead job back in the queue, due now, with its count of attempts reset.
         *
         *     Authorised by the bearer JWT of an account with role `admin`, or by the operator token (`X-Operator-Token`). 401 when neither is presented or valid; 403 `"Access denied"` for a JWT of a non-admin account.
         */
        post: operations["postV1AdminOutboxRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The KYC review queue
         * @description Accounts waiting for a review (private `document` label `pending`), oldest submission first, each
         *     with its profile, phones and documents. `X-Total-Count` gives the length of the whole queue.
         *
         *     Roles: `admin`, `compliance` (an operator account needs 2FA on), or the operator token. 401 when
         *     neither a token nor the operator token is presented or valid; 403 `"Access denied"` for another role;
         *     403 `"Two-factor authentication is required for operators"` for an operator account without 2FA.
         *     400 when `limit` or `offset` is out of range.
         */
        get: operations["getV1AdminReviews"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reviews/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve or reject an account's documents
         * @description Decides the account's KYC review: `approve` sets the private `document` label to `verified`,
         *     `reject` sets it to `rejected` (a `reason` is required and is mailed to the user). The level is
         *     recomputed and the decision recorded in the audit trail in the same transaction; then the user gets
         *     "Your identity was approved" or "Your identity was rejected" with the reason. Answers the account
         *     with its KYC data as it is now.
         *
         *     An account whose review is already decided (`verified` or `rejected`) answers 409 `"Review is
         *     already decided"` unless `re_review` is true (an explicit re-review, e.g. after an appeal).
         *
         *     Roles: `admin`, `compliance` (with 2FA on), or the operator token. 401; 403 `"Access denied"`;
         *     403 `"Two-factor authentication is required for operators"`; 400 `"decision is missing"` or an
         *     unknown decision; 404 `"Record is not found"`; 409; 422 `"Reason can't be blank"` for a rejection
         *     without a reason, `"Reason is too long (maximum is 1000 characters)"`, `"Account has no documents to
         *     review"`.
         */
        post: operations["postV1AdminReviewsUid"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api_keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys
         * @description Lists the account's API keys in every state.
         *
         *     After parameter validation (400), every API-key operation authenticates (401), then requires 2FA on the account (400 `"Only accounts with enabled 2FA alowed"`, sic), then a fresh `totp_code` (422 `"Your code is invalid"`, also for a reused code; 429 when too many codes were tried).
         */
        get: operations["getV1ApiKeys"];
        put?: never;
        /**
         * Create an API key
         * @description Creates an API key (state `active`, `expires_in` default 86400).
         *
         *     After parameter validation (400), every API-key operation authenticates (401), then requires 2FA on the account (400 `"Only accounts with enabled 2FA alowed"`, sic), then a fresh `totp_code` (422 `"Your code is invalid"`, also for a reused code; 429 when too many codes were tried). Then: 400 `"public_key is missing, public_key is empty"`; 422 `"Expires in must be greater than or equal to 30"`, `"Expires in must be less than or equal to 86400"`, or a public key that does not parse as an RSA/EC public key.
         */
        post: operations["postV1ApiKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api_keys/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get an API key
         * @description Returns one of the account's API keys.
         *
         *     After parameter validation (400), every API-key operation authenticates (401), then requires 2FA on the account (400 `"Only accounts with enabled 2FA alowed"`, sic), then a fresh `totp_code` (422 `"Your code is invalid"`, also for a reused code; 429 when too many codes were tried). Then 404 `"Record is not found"`.
         */
        get: operations["getV1ApiKeysUid"];
        put?: never;
        post?: never;
        /**
         * Delete an API key
         * @description Deletes one of the account's API keys. Session JWTs already minted stay valid until `exp`.
         *
         *     After parameter validation (400), every API-key operation authenticates (401), then requires 2FA on the account (400 `"Only accounts with enabled 2FA alowed"`, sic), then a fresh `totp_code` (422 `"Your code is invalid"`, also for a reused code; 429 when too many codes were tried). Then 404 `"Record is not found"`.
         */
        delete: operations["deleteV1ApiKeysUid"];
        options?: never;
        head?: never;
        /**
         * Update an API key
         * @description Updates the given fields of one of the account's API keys (e.g. `state` `inactive` stops it minting sessions).
         *
         *     After parameter validation (400), every API-key operation authenticates (401), then requires 2FA on the account (400 `"Only accounts with enabled 2FA alowed"`, sic), then a fresh `totp_code` (422 `"Your code is invalid"`, also for a reused code; 429 when too many codes were tried). Then 404 `"Record is not found"`; 422 rule failures such as `"Expires in must be less than or equal to 86400"`.
         */
        patch: operations["patchV1ApiKeysUid"];
        trace?: never;
    };
    "/v1/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List own documents
         * @description Lists the documents uploaded by the signed-in account, oldest first. The review status is the private label `document` (`GET /v1/labels/document`).
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1Documents"];
        put?: never;
        /**
         * Upload a KYC document
         * @description Uploads a document (multipart only). The file must be JPEG, PNG or PDF (checked by content, not by name)
         *     and at most 10 MB; it is stored under a random name and is never served publicly. The private label
         *     `document` becomes `pending` (unless already `verified`) and the level is recomputed.
         *
         *     Order of checks: 401 (the bearer token is checked before the body is read, so an anonymous client
         *     cannot make the server buffer an upload); 413 `"Upload is too large (maximum is 10 MB)"` when the file
         *     exceeds 10 MB (found while the body is read); 400 for missing or empty fields (e.g.
         *     `"doc_type is missing, doc_type is empty, upload is missing"`); 422 for rule failures, every failing rule joined by
         *     `", "` (`"Doc type is not included in the list"`, `"Doc number is too long (maximum is 128 characters)"`,
         *     `"Doc expire Date must be in the following format: yyyy-mm-dd"`, `"Metadata is invalid"`,
         *     `"Upload can't be blank"` when `upload` is not a file part, `"Upload must be a JPEG, PNG or PDF file"`);
         *     then 422 `"Maximum number of documents was reached"` when the account already has `DOCUMENTS_LIMIT`
         *     (default 10) documents, `"Maximum total size of documents was reached"` when its files would exceed
         *     `DOCUMENTS_MAX_TOTAL_MB` (default 30 MB). A JSON or form-encoded body is read as Barong read it, and carries no file
         *     (400 `"upload is missing"`).
         *     Barong answered the bare number `201`; this server answers the created document.
         */
        post: operations["postV1Documents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents/{id}/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a document file
         * @description Streams the stored file of one of the signed-in account's documents, with its detected content type, as an attachment (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`). 400 `"id is invalid"` when the id is not an integer; 404 `"Record is not found"` when the document does not exist or belongs to another account.
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1DocumentsIdFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health/alive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness probe
         * @description Answers 200 while the process runs; touches nothing else.
         */
        get: operations["getV1HealthAlive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness probe
         * @description Answers 200 when the database answers and the server is not stopping; 503 otherwise
         *     (`"Database is unavailable"`, or `"Server is shutting down"` from the moment it receives SIGTERM, while it
         *     still serves for its grace period). Load balancers send traffic only to nodes that answer 200 here.
         */
        get: operations["getV1HealthReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List labels
         * @description Lists the account's labels of both scopes (the private `email`, `phone` and `document` labels show the KYC progress).
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1Labels"];
        put?: never;
        /**
         * Create a public label
         * @description Creates a **public** label (never affects the level). Keys and values: 3 to 255 characters of
         *     `[A-Za-z0-9_-]`, stored downcased.
         *
         *     Order of checks: 400 missing or empty parameters; 401; 422 rule failures (`"Key is too short (minimum is 3
         *     characters)"`, `"Key is invalid"`, `"Value is invalid"`, `"Key has already been taken"`).
         */
        post: operations["postV1Labels"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labels/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a label
         * @description Returns the label with this key (downcased), public or private. A public and a private label may share a
         *     key: then the public one is returned, and the private one only when no public label has that key. 404
         *     `"Record is not found"` when the account has none.
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1LabelsKey"];
        put?: never;
        post?: never;
        /**
         * Delete a public label
         * @description Deletes a public label. When a public and a private label share the key, the public one (the user's own)
         *     is deleted.
         *
         *     Errors: 401; 404 `"Record is not found"`; 400 `"Can't update Label."` when the key names only a private label (read-only for the user).
         */
        delete: operations["deleteV1LabelsKey"];
        options?: never;
        head?: never;
        /**
         * Update a public label
         * @description Changes the value of a public label. When a public and a private label share the key, the public one (the
         *     user's own) is changed.
         *
         *     Order of checks: 400 `"value is missing, value is empty"`; 401; 404 `"Record is not found"`; 400 `"Can't update Label."` when the key names only a private label (read-only for the user). 422 when the value breaks the label rules (`"Value is too short (minimum is 3 characters)"`, `"Value is invalid"`; Barong answered 200 without saving).
         */
        patch: operations["patchV1LabelsKey"];
        trace?: never;
    };
    "/v1/phones": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a phone and send a code
         * @description Registers a phone number (digits only, with its country) and sends a 5-digit code by SMS:
         *     "Your verification code for <APP_NAME>: <code>". The code is valid 10 minutes and allows 5 attempts.
         *
         *     Order of checks: 400 `"phone_number is missing, phone_number is empty"`; 401; 400
         *     `"Phone number is invalid"`; 400 `"Phone number is already exists"` (verified on some account); 429
         *     per-account/per-number SMS rate limit; 502 `"Something wrong with Twilio Client"` when the SMS provider
         *     fails (the code is then withdrawn: send a new one).
         */
        post: operations["postV1Phones"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/phones/send_code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend the SMS code
         * @description Generates a new code for a number already registered on the account and sends it by SMS.
         *
         *     Order of checks: 400 `"phone_number is missing, phone_number is empty"`; 401; 400
         *     `"Phone number is invalid"`; 400 `"Phone number is already exists"`; 404 `"Record is not found"` (the
         *     number is not registered on this account); 429 SMS rate limit; 502 `"Something wrong with Twilio Client"`.
         */
        post: operations["postV1PhonesSendCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/phones/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify a phone with the SMS code
         * @description Verifies the number with the code received by SMS: sets the private label `phone` to `verified` and
         *     recomputes the level (e.g. 1 to 2).
         *
         *     Order of checks: 400 `"phone_number is empty, verification_code is empty"`; 401; 400
         *     `"Phone number is invalid"`; 400 `"Phone number is already exists"`; 404
         *     `"Phone is not found or verification code is invalid"` (also when the code expired or its attempts are
         *     used up); 429 too many verification requests from the account.
         */
        post: operations["postV1PhonesVerify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/profiles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create KYC profile
         * @description Creates the profile of the signed-in account (one per account). It does not change the level.
         *
         *     Order of checks: 400 for missing or empty parameters (e.g. `"first_name is missing, ..., country is
         *     missing"`; blank values count as empty: `"city is empty"`) or a `dob` that is not a real `YYYY-MM-DD`
         *     date (`"dob is invalid"`); 401; 409 `"Profile already exists"` (also when parallel requests race); 422
         *     when a rule fails: `"Dob must be in the past"`, `"Country is invalid"` (not an ISO 3166-1 alpha-2 or
         *     alpha-3 code nor an English short name such as `Saint Kitts and Nevis`; a code is stored upper-cased, a
         *     name as given), `"Metadata is invalid"` (deeper than 10 levels or over 16 KB as JSON).
         *     Form bodies may send `metadata` Rack-style: `metadata[gender]=male`.
         */
        post: operations["postV1Profiles"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/profiles/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current profile
         * @description Returns the profile of the signed-in account. 404 `"Account has no profile"` when none was created (Barong 1.8.2 behaviour; 1.8.0 answered `null`).
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        get: operations["getV1ProfilesMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/enable_2fa": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn on 2FA
         * @description Turns on TOTP two-factor authentication after `generate_qrcode`, given a valid code for the new secret.
         *     From then on `POST /v1/sessions` requires `otp_code`.
         *
         *     Order of checks: 400 `"code is missing, code is empty"`; 401; 400 `"You are already enabled 2FA"`; 422
         *     `"Your code is invalid"` (also when `generate_qrcode` was never called); 429 when too many codes were tried.
         */
        post: operations["postV1SecurityEnable2fa"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/generate_qrcode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a TOTP secret
         * @description Creates (or replaces) the account's TOTP secret (issuer `APP_NAME`, SHA1, 6 digits, 30 s) and returns it
         *     as a QR code and an `otpauth://` URL. The secret is stored encrypted. Refused once 2FA is on:
         *     400 `"You are already enabled 2FA"` (so an enabled secret cannot be overwritten).
         *
         *     401 when the bearer token is missing, invalid, expired or revoked (`"The access token is invalid"`, `"The access token expired"`) or the account no longer exists (`"Account does not exist"`).
         */
        post: operations["postV1SecurityGenerateQrcode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/renew": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Renew the session JWT
         * @description Issues a fresh session JWT for the signed-in account (claims re-read from the account), as a bare JSON
         *     string. The presented token stays valid until it expires. The new token keeps the sign-in time
         *     (`auth_time`) and never expires later than `SESSION_MAX_LIFETIME` (24 h by default) after it: `exp` is
         *     cut to that instant.
         *
         *     Errors: 400 `"expires_in is invalid"` (not an integer); 401 token errors, `"The session was revoked, please
         *     sign in again"` (issued before a password change or reset, a 2FA reset or a role change) and
         *     `"The session is too old to renew, please sign in again"`; 422 when `expires_in` is outside 30..86400.
         */
        post: operations["postV1SecurityRenew"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/reset_password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a new password with a reset token
         * @description Sets a new password using the token from the reset email; the token is then cleared. A locked account is
         *     unlocked, every session of the account ends, and the owner is mailed "Your password was reset".
         *
         *     Order of checks: 400 `"reset_password_token is empty, password is empty"`; 429 with `Retry-After` past
         *     the per-address rate limit (`RATE_LIMIT_RESET_PASSWORD_TOKEN_PER_IP`); 404 `"Record is not found"`
         *     (unknown or used token); 422 `"Reset password token has expired, please request a new one"` (older than
         *     6 h); 422 password rule messages (e.g. `"Password must contain big, small letters and digits"`; the token
         *     stays usable); 503 with `Retry-After` when the password-hashing queue is full; 422
         *     `"Password must be different than the current password."`. The token is checked before any password is
         *     hashed, so made-up tokens cost no hashing.
         */
        put: operations["putV1SecurityResetPassword"];
        /**
         * Request a password-reset email
         * @description Emails password-reset instructions (token valid 6 hours) when a non-deleted account has this email. Always
         *     201, with the same timing, whether or not the email exists (Barong answered 404 for an unknown email).
         *
         *     Errors: 400 `"email is missing, email is empty"`, `"email is too long"` (over 255 characters); 429 when the
         *     per-IP or per-account rate limit is exceeded.
         */
        post: operations["postV1SecurityResetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/verify_api_key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check an API key's state
         * @description Returns the state of an API key, without authentication (as in Barong). Answers 201 as the Barong docs
         *     say (Barong's code answered 200).
         *
         *     Errors: 400 `"uid is missing, uid is empty"`; 404 `"Record is not found"` (no such key); 422
         *     `"Account has no api key with provided uid"` (the key belongs to another account than `account_uid`).
         */
        post: operations["postV1SecurityVerifyApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/verify_code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a TOTP code
         * @description Checks a code from the authenticator app against the account's enabled 2FA. A code is accepted once in its
         *     time window.
         *
         *     Order of checks: 400 `"code is missing, code is empty"`; 401; 400 `"You need to enable 2FA first"`; 422
         *     `"Your code is invalid"` (wrong or reused code); 429 when too many codes were tried.
         */
        post: operations["postV1SecurityVerifyCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in (get a session JWT)
         * @description Exchanges email and password for an RS256 session JWT, returned as a bare JSON string. Claims: `iat`,
         *     `exp`, `sub` `session`, `iss` `barong`, `aud` `["peatio","barong"]`, `jti`, `uid`, `email`, `role`,
         *     `level`, `state`, plus `auth_time` (the sign-in time, kept through renewals) and `sgen` (the account's
         *     session generation: a password change or reset, a 2FA reset or a role change revokes every session
         *     issued before it); the header carries `kid` (see `/.well-known/jwks.json`).
         *
         *     Order of checks: 400 missing parameters (e.g. `"email is missing, password is missing, application_id is
         *     missing"`) or `"expires_in is invalid"`; 422 `expires_in` outside 30..86400; 429 rate limit (per IP and
         *     per account, with `Retry-After`); 401 `"Wrong application id"` (checked before the account is looked
         *     up); 401 `"Your account is locked after too many failed attempts. Try again later or reset your
         *     password."` after 5 failed logins (it unlocks after 1 h or by password reset; an email without an account
         *     locks the same way, so the lock reveals nothing); 401 `"Invalid Email or password."` for an unknown email
         *     **and** a wrong password (same answer, same timing). Each attempt is counted before the password is
         *     checked, so parallel guesses never get past the lockout; 401 `"You have to confirm your email address before continuing."` (account not
         *     active); 403 `"The account has enabled 2FA but OTP code is missing"` or `"OTP code is invalid"`, or
         *     `"Two-factor authentication must be set up again: please contact support"` for an account imported from
         *     Barong with 2FA on but without its TOTP secret (until an operator resets its 2FA); 503
         *     `"Server is busy, please try again later"` with `Retry-After` when sign-ins queue for a hashing
         *     slot past `PASSWORD_HASH_QUEUE_TIMEOUT_MS`: they queue before the application and account are
         *     read, so such an answer has counted no attempt.
         */
        post: operations["postV1Sessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/generate_jwt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Get a session JWT for an API key
         * @description A bot proves possession of an API key's private key by sending a JWT it signed (RS256 for an RSA key,
         *     ES256 for an EC P-256 key — ES384/ES512 for P-384/P-521; `sub` `api_key_jwt`, `iss` `external`, `exp`
         *     required and at most 1 hour ahead, optional `iat` not in the future, a `jti` accepted only once per key).
         *     The answer is a session JWT with the claims of `POST /v1/sessions` plus `api_kid` (the key uid), whose
         *     `aud` is the array of the key's comma-separated scopes (`[]` without scopes), expiring after the key's
         *     `expires_in`. Such a session is meant for resource servers: this API does not accept it as a bearer token
         *     (as in Barong). Answers 201 as the Barong docs say (Barong's code answered 200).
         *
         *     Order of checks: 400 `"kid is missing, kid is empty, jwt_token is missing, jwt_token is empty"`; 404
         *     `"Record is not found"` (unknown or not `active` key); 401
         *     `"Failed to decode and verify JWT: <reason>"` (malformed, bad signature, wrong algorithm, expired, wrong
         *     `sub`/`iss`, missing `exp` or `jti`, `exp` too far ahead, replayed `jti`); 401 `"Account is not active"`;
         *     400 `"Only accounts with enabled 2FA alowed"` (2FA of the key's account was turned off). 429 with
         *     `Retry-After` past the per-address rate limit (`RATE_LIMIT_GENERATE_JWT_PER_IP`), counted before the
         *     client JWT is checked.
         */
        post: operations["postV1SessionsGenerateJwt"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /**
         * @description The signed-in account as Barong presents it (`GET /v1/accounts/me`).
         * @example {
         *       "uid": "ID092B2AF8E8",
         *       "email": "user@example.com",
         *       "role": "member",
         *       "level": 1,
         *       "state": "active",
         *       "otp_enabled": false
         *     }
         */
        Account: {
            /**
             * Format: email
             * @description Email address (downcased).
             * @example user@example.com
             */
            email: string;
            /**
             * @description KYC level computed from the private labels (1 email, 2 phone, 3 document by default).
             * @example 1
             */
            level: number;
            /**
             * @description Whether TOTP two-factor authentication is on.
             * @example false
             */
            otp_enabled: boolean;
            /**
             * @description Role: `member` (default), `compliance` or `admin`.
             * @example member
             */
            role: string;
            /**
             * @description Account state: `pending` until the email is confirmed, then `active`.
             * @example active
             */
            state: string;
            /**
             * @description Account uid: `ID` followed by 10 upper-case hex characters.
             * @example ID092B2AF8E8
             */
            uid: string;
        };
        /**
         * @description An account as operators see it.
         * @example {
         *       "uid": "ID092B2AF8E8",
         *       "email": "user@example.com",
         *       "role": "member",
         *       "level": 2,
         *       "state": "active",
         *       "otp_enabled": true,
         *       "created_at": "2024-06-10T09:13:20Z",
         *       "updated_at": "2024-06-10T09:13:20Z"
         *     }
         */
        AdminAccount: {
            /**
             * Format: date-time
             * @description Sign-up time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * Format: email
             * @description Email address.
             * @example user@example.com
             */
            email: string;
            /**
             * @description KYC level.
             * @example 2
             */
            level: number;
            /**
             * @description Whether 2FA is on.
             * @example true
             */
            otp_enabled: boolean;
            /**
             * @description Role: `admin`, `compliance` or `member`.
             * @example member
             */
            role: string;
            /**
             * @description Account state (`pending`, `active`, ...).
             * @example active
             */
            state: string;
            /**
             * @description Account uid.
             * @example ID092B2AF8E8
             */
            uid: string;
            /**
             * Format: date-time
             * @description Last update time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            updated_at: string;
        };
        /**
         * @description An account with its labels, profile, phones and documents.
         * @example {
         *       "uid": "ID092B2AF8E8",
         *       "email": "user@example.com",
         *       "role": "member",
         *       "level": 2,
         *       "state": "active",
         *       "otp_enabled": true,
         *       "created_at": "2024-06-10T09:13:20Z",
         *       "updated_at": "2024-06-10T09:13:20Z",
         *       "labels": [
         *         {
         *           "key": "document",
         *           "value": "pending",
         *           "scope": "private",
         *           "created_at": "2024-06-10T09:13:20Z",
         *           "updated_at": "2024-06-10T09:13:20Z"
         *         }
         *       ],
         *       "profile": {
         *         "first_name": "Jane",
         *         "last_name": "Doe",
         *         "dob": "1990-04-21",
         *         "address": "12 Baker Street",
         *         "postcode": "NW1 6XE",
         *         "city": "London",
         *         "country": "GB",
         *         "metadata": {
         *           "state": "Greater London"
         *         }
         *       },
         *       "phones": [
         *         {
         *           "number": "447911123456",
         *           "country": "GB",
         *           "validated_at": "2024-06-10T09:13:20Z"
         *         }
         *       ],
         *       "documents": [
         *         {
         *           "id": 42,
         *           "upload": {
         *             "url": "/api/v1/admin/accounts/ID092B2AF8E8/documents/42/file"
         *           },
         *           "doc_type": "Passport",
         *           "doc_number": "AA1234BB",
         *           "doc_expire": "2030-01-22",
         *           "content_type": "image/jpeg",
         *           "byte_size": 182044,
         *           "created_at": "2024-06-10T09:13:20Z"
         *         }
         *       ]
         *     }
         */
        AdminAccountDetails: {
            /**
             * Format: date-time
             * @description Sign-up time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description Uploaded documents, oldest first.
             * @example [
             *       {
             *         "id": 42,
             *         "upload": {
             *           "url": "/api/v1/admin/accounts/ID092B2AF8E8/documents/42/file"
             *         },
             *         "doc_type": "Passport",
             *         "doc_number": "AA1234BB",
             *         "doc_expire": "2030-01-22",
             *         "content_type": "image/jpeg",
             *         "byte_size": 182044,
             *         "created_at": "2024-06-10T09:13:20Z"
             *       }
             *     ]
             */
            documents: components["schemas"]["AdminDocument"][];
            /**
             * Format: email
             * @description Email address.
             * @example user@example.com
             */
            email: string;
            /**
             * @description All labels, both scopes.
             * @example [
             *       {
             *         "key": "document",
             *         "value": "pending",
             *         "scope": "private",
             *         "created_at": "2024-06-10T09:13:20Z",
             *         "updated_at": "2024-06-10T09:13:20Z"
             *       }
             *     ]
             */
            labels: components["schemas"]["Label"][];
            /**
             * @description KYC level.
             * @example 2
             */
            level: number;
            /**
             * @description Whether 2FA is on.
             * @example true
             */
            otp_enabled: boolean;
            /**
             * @description Registered phone numbers.
             * @example [
             *       {
             *         "number": "447911123456",
             *         "country": "GB",
             *         "validated_at": "2024-06-10T09:13:20Z"
             *       }
             *     ]
             */
            phones: components["schemas"]["AdminPhone"][];
            /**
             * @description The profile, or `null` when none was created.
             * @example {
             *       "first_name": "Jane",
             *       "last_name": "Doe",
             *       "dob": "1990-04-21",
             *       "address": "12 Baker Street",
             *       "postcode": "NW1 6XE",
             *       "city": "London",
             *       "country": "GB",
             *       "metadata": {
             *         "state": "Greater London"
             *       }
             *     }
             */
            profile: components["schemas"]["Profile"] | null;
            /**
             * @description Role: `admin`, `compliance` or `member`.
             * @example member
             */
            role: string;
            /**
             * @description Account state (`pending`, `active`, ...).
             * @example active
             */
            state: string;
            /**
             * @description Account uid.
             * @example ID092B2AF8E8
             */
            uid: string;
            /**
             * Format: date-time
             * @description Last update time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            updated_at: string;
        };
        /**
         * @description A KYC document as reviewers see it; `upload.url` is the reviewers' download.
         * @example {
         *       "id": 42,
         *       "upload": {
         *         "url": "/api/v1/admin/accounts/ID092B2AF8E8/documents/42/file"
         *       },
         *       "doc_type": "Passport",
         *       "doc_number": "AA1234BB",
         *       "doc_expire": "2030-01-22",
         *       "content_type": "image/jpeg",
         *       "byte_size": 182044,
         *       "created_at": "2024-06-10T09:13:20Z"
         *     }
         */
        AdminDocument: {
            /**
             * @description File size in bytes.
             * @example 182044
             */
            byte_size: number;
            /**
             * @description Content type detected from the file (`image/jpeg`, `image/png` or `application/pdf`).
             * @example image/jpeg
             */
            content_type: string;
            /**
             * Format: date-time
             * @description Upload time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * Format: date
             * @description Expiry date, `YYYY-MM-DD`.
             * @example 2030-01-22
             */
            doc_expire: string;
            /**
             * @description Document number.
             * @example AA1234BB
             */
            doc_number: string;
            /**
             * @description Document type: `Passport`, `Identity card`, `Driver license` or `Utility Bill`.
             * @example Passport
             */
            doc_type: string;
            /**
             * @description Document id.
             * @example 42
             */
            id: number;
            upload: components["schemas"]["DocumentUpload"];
        };
        /**
         * @description A phone number registered by the account.
         * @example {
         *       "number": "447911123456",
         *       "country": "GB",
         *       "validated_at": "2024-06-10T09:13:20Z"
         *     }
         */
        AdminPhone: {
            /**
             * @description ISO country derived from the number.
             * @example GB
             */
            country: string;
            /**
             * @description Phone number, digits only, with country code.
             * @example 447911123456
             */
            number: string;
            /**
             * Format: date-time
             * @description When the number was verified, or `null`.
             * @example 2024-06-10T09:13:20Z
             */
            validated_at: string | null;
        };
        /**
         * @description An account waiting for a KYC review, with what a reviewer needs to decide.
         * @example {
         *       "account": {
         *         "uid": "ID092B2AF8E8",
         *         "email": "user@example.com",
         *         "role": "member",
         *         "level": 2,
         *         "state": "active",
         *         "otp_enabled": false,
         *         "created_at": "2024-06-10T09:13:20Z",
         *         "updated_at": "2024-06-10T09:13:20Z"
         *       },
         *       "submitted_at": "2024-06-10T09:13:20Z",
         *       "profile": null,
         *       "phones": [],
         *       "documents": []
         *     }
         */
        AdminReview: {
            account: components["schemas"]["AdminAccount"];
            /**
             * @description Uploaded documents, oldest first.
             * @example []
             */
            documents: components["schemas"]["AdminDocument"][];
            /**
             * @description Registered phone numbers.
             * @example [
             *       {
             *         "number": "447911123456",
             *         "country": "GB",
             *         "validated_at": "2024-06-10T09:13:20Z"
             *       }
             *     ]
             */
            phones: components["schemas"]["AdminPhone"][];
            /**
             * @description The profile, or `null` when none was created.
             * @example null
             */
            profile: components["schemas"]["Profile"] | null;
            /**
             * Format: date-time
             * @description When the review became pending (the last upload), UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            submitted_at: string;
        };
        /**
         * @description An API key: an RSA/EC public key with which a bot signs the JWT it trades for a session (`POST /v1/sessions/generate_jwt`).
         * @example {
         *       "uid": "5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b",
         *       "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K",
         *       "scopes": "trade",
         *       "expires_in": 86400,
         *       "state": "active",
         *       "created_at": "2024-06-10T09:13:20Z",
         *       "updated_at": "2024-06-10T09:13:20Z"
         *     }
         */
        APIKey: {
            /**
             * Format: date-time
             * @description Creation time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description Lifetime in seconds of the session JWTs minted with this key.
             * @example 86400
             */
            expires_in: number;
            /**
             * @description The public key as sent at creation (a PEM, or URL-safe Base64 of the PEM).
             * @example LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K
             */
            public_key: string;
            /**
             * @description Free-form scopes string (comma separated), or `null`.
             * @example trade
             */
            scopes: string | null;
            /**
             * @description Key state, `active` or `inactive`; only `active` keys can mint sessions.
             * @example active
             */
            state: string;
            /**
             * @description API key uid (UUID); the client uses it as `kid`.
             * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
             */
            uid: string;
            /**
             * Format: date-time
             * @description Last update time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            updated_at: string;
        };
        /**
         * @description A session JWT minted for an API key.
         * @example {
         *       "token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IjNrVmJxMF9QcDdkMiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAxNDQwMCwic3ViIjoic2Vzc2lvbiIsImlzcyI6ImJhcm9uZyIsImF1ZCI6WyJwZWF0aW8iLCJiYXJvbmciXSwianRpIjoiMUE2RjNFMEM5QjJENEU3RjhBMDFCMkMzIiwidWlkIjoiSUQwOTJCMkFGOEU4IiwiZW1haWwiOiJ1c2VyQGV4YW1wbGUuY29tIiwicm9sZSI6Im1lbWJlciIsImxldmVsIjoxLCJzdGF0ZSI6ImFjdGl2ZSJ9.Xq3nJ0cRk1m8wJx2n9gq0yV6c4Z1bR5tH8pL2sD7fK3aQ9vW6eU1iO4yT0rE5wQ2zX8cV7bN3mA6sD9fG1hJ4k"
         *     }
         */
        ApiKeySession: {
            /**
             * @description RS256 session JWT carrying `api_kid`; its `aud` is the array of the key's comma-separated scopes.
             * @example eyJhbGciOiJSUzI1NiIsImtpZCI6IjNrVmJxMF9QcDdkMiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAxNDQwMCwic3ViIjoic2Vzc2lvbiIsImlzcyI6ImJhcm9uZyIsImF1ZCI6WyJwZWF0aW8iLCJiYXJvbmciXSwianRpIjoiMUE2RjNFMEM5QjJENEU3RjhBMDFCMkMzIiwidWlkIjoiSUQwOTJCMkFGOEU4IiwiZW1haWwiOiJ1c2VyQGV4YW1wbGUuY29tIiwicm9sZSI6Im1lbWJlciIsImxldmVsIjoxLCJzdGF0ZSI6ImFjdGl2ZSJ9.Xq3nJ0cRk1m8wJx2n9gq0yV6c4Z1bR5tH8pL2sD7fK3aQ9vW6eU1iO4yT0rE5wQ2zX8cV7bN3mA6sD9fG1hJ4k
             */
            token: string;
        };
        /**
         * @description State of an API key.
         * @example {
         *       "state": "active"
         *     }
         */
        ApiKeyState: {
            /**
             * @description The key's state (any string; `active` can mint sessions).
             * @example active
             */
            state: string;
        };
        /**
         * @description A client application; its `uid` is the `application_id` sent to `POST /v1/sessions`.
         * @example {
         *       "uid": "b6f1a0c2d4e8f9a1b3c5d7e9f0a2b4c6",
         *       "name": "Peatio",
         *       "redirect_uri": "https://peatio.example.com/auth/barong/callback",
         *       "created_at": "2024-06-10T09:13:20Z"
         *     }
         */
        Application: {
            /**
             * Format: date-time
             * @description Creation time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description Display name.
             * @example Peatio
             */
            name: string;
            /**
             * @description OAuth redirect URI, or `null`.
             * @example https://peatio.example.com/auth/barong/callback
             */
            redirect_uri: string | null;
            /**
             * @description Application id (client id).
             * @example b6f1a0c2d4e8f9a1b3c5d7e9f0a2b4c6
             */
            uid: string;
        };
        /**
         * @description One operator action, as recorded (append-only).
         * @example {
         *       "id": 1017,
         *       "actor": "ID5A1C0FFEE1",
         *       "action": "review.reject",
         *       "account_uid": "ID092B2AF8E8",
         *       "before": {
         *         "document": "pending",
         *         "level": 2
         *       },
         *       "after": {
         *         "document": "rejected",
         *         "level": 2,
         *         "reason": "The passport photo is blurred."
         *       },
         *       "request_id": "7c0d1e2f-3a4b-4e8f-9a6b-5b1f9a3e2c4d",
         *       "source_ip": "203.0.113.7",
         *       "created_at": "2024-06-10T09:13:20Z"
         *     }
         */
        AuditRecord: {
            /**
             * @description The account acted on, or `null`.
             * @example ID092B2AF8E8
             */
            account_uid: string | null;
            /**
             * @description What was done (`review.approve`, `review.reject`, `label.set`, `label.delete`, `role.change`, `otp.disable`, `application.create`).
             * @example review.reject
             */
            action: string;
            /**
             * @description Who acted: an account uid, `operator token`, or another named actor.
             * @example ID5A1C0FFEE1
             */
            actor: string;
            /**
             * @description The state after the action, or `null`.
             * @example {
             *       "document": "rejected",
             *       "level": 2,
             *       "reason": "The passport photo is blurred."
             *     }
             */
            after: components["schemas"]["AuditState"];
            /**
             * @description The state before the action (the fields it changed), or `null`.
             * @example {
             *       "document": "pending",
             *       "level": 2
             *     }
             */
            before: components["schemas"]["AuditState"];
            /**
             * Format: date-time
             * @description When, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description Record id, increasing.
             * @example 1017
             */
            id: number;
            /**
             * @description The request id (`X-Request-Id`) of the call.
             * @example 7c0d1e2f-3a4b-4e8f-9a6b-5b1f9a3e2c4d
             */
            request_id: string | null;
            /**
             * @description The caller's address.
             * @example 203.0.113.7
             */
            source_ip: string | null;
        };
        /**
         * @description The fields an action changed, as they were before or after it (`null` when there is nothing).
         * @example {
         *       "document": "rejected",
         *       "level": 2
         *     }
         */
        AuditState: {
            [key: string]: unknown;
        } | null;
        /**
         * @description A KYC document uploaded by the account.
         * @example {
         *       "id": 42,
         *       "upload": {
         *         "url": "/api/v1/documents/42/file"
         *       },
         *       "doc_type": "Passport",
         *       "doc_number": "AA1234BB",
         *       "doc_expire": "2030-01-22"
         *     }
         */
        Document: {
            /**
             * Format: date
             * @description Expiry date, `YYYY-MM-DD`.
             * @example 2030-01-22
             */
            doc_expire: string;
            /**
             * @description Document number (at most 128 characters).
             * @example AA1234BB
             */
            doc_number: string;
            /**
             * @description Document type: `Passport`, `Identity card`, `Driver license` or `Utility Bill`.
             * @example Passport
             */
            doc_type: string;
            /**
             * @description Document id.
             * @example 42
             */
            id: number;
            upload: components["schemas"]["DocumentUpload"];
        };
        /**
         * @description Where the uploaded file can be fetched. Files are never public: the URL is the owner-only `GET /api/v1/documents/{id}/file` endpoint.
         * @example {
         *       "url": "/api/v1/documents/42/file"
         *     }
         */
        DocumentUpload: {
            /**
             * @description Path of the file download, bearer-protected.
             * @example /api/v1/documents/42/file
             */
            url: string;
        };
        /**
         * @description Error body. `error` is a message string (Barong's wording); for the 422 of `POST /v1/accounts` it is an array of full messages. Validation failures of parameters (400) list every failing parameter Grape-style, joined by `", "`.
         * @example {
         *       "error": "Record is not found"
         *     }
         */
        Error: {
            /**
             * @description The message, or (sign-up 422 only) the list of messages.
             * @example Record is not found
             */
            error: string | string[];
        };
        /**
         * @description Health status.
         * @example {
         *       "status": "ok"
         *     }
         */
        Health: {
            /**
             * @description Always `ok` when healthy.
             * @example ok
             * @constant
             */
            status: "ok";
        };
        /**
         * @description A public JSON Web Key used to verify session JWTs. Other JWK members may appear.
         * @example {
         *       "kty": "RSA",
         *       "kid": "3kVbq0_Pp7d2",
         *       "use": "sig",
         *       "alg": "RS256",
         *       "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
         *       "e": "AQAB"
         *     }
         */
        Jwk: {
            /**
             * @description Signature algorithm.
             * @example RS256
             */
            alg: string;
            /**
             * @description RSA public exponent, Base64url.
             * @example AQAB
             */
            e: string;
            /**
             * @description Key id; matches the `kid` header of the JWTs it verifies.
             * @example 3kVbq0_Pp7d2
             */
            kid: string;
            /**
             * @description Key type.
             * @example RSA
             */
            kty: string;
            /**
             * @description RSA modulus, Base64url.
             * @example 0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw
             */
            n: string;
            /**
             * @description Public key use.
             * @example sig
             */
            use: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description JSON Web Key Set: every public key currently accepted for session JWTs (several during rotation).
         * @example {
         *       "keys": [
         *         {
         *           "kty": "RSA",
         *           "kid": "3kVbq0_Pp7d2",
         *           "use": "sig",
         *           "alg": "RS256",
         *           "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
         *           "e": "AQAB"
         *         }
         *       ]
         *     }
         */
        Jwks: {
            /**
             * @description The keys.
             * @example [
             *       {
             *         "kty": "RSA",
             *         "kid": "3kVbq0_Pp7d2",
             *         "use": "sig",
             *         "alg": "RS256",
             *         "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
             *         "e": "AQAB"
             *       }
             *     ]
             */
            keys: components["schemas"]["Jwk"][];
        };
        /**
         * @description A label on the account. `public` labels belong to the user; `private` labels are set by the server or an operator and drive the level.
         * @example {
         *       "key": "document",
         *       "value": "pending",
         *       "scope": "private",
         *       "created_at": "2024-06-10T09:13:20Z",
         *       "updated_at": "2024-06-10T09:13:20Z"
         *     }
         */
        Label: {
            /**
             * Format: date-time
             * @description Creation time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description Label key.
             * @example document
             */
            key: string;
            /**
             * @description Label scope.
             * @example private
             * @enum {string}
             */
            scope: "public" | "private";
            /**
             * Format: date-time
             * @description Last update time, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            updated_at: string;
            /**
             * @description Label value.
             * @example pending
             */
            value: string;
        };
        /**
         * @description A JWT in JWS JSON general serialization with one signature per signer (`jwt-multisig`), as Barong's Management API takes it.
         * @example {
         *       "payload": "eyJpYXQiOjE3MTc5OTk5OTAsImV4cCI6MTcxODAwMDA1MCwianRpIjoiNGYwYzFkM2U5YTJiIiwiZGF0YSI6eyJhY2NvdW50X3VpZCI6IklEMDkyQjJBRjhFOCIsImtleSI6InRpZXIiLCJ2YWx1ZSI6ImdvbGQifX0",
         *       "signatures": [
         *         {
         *           "protected": "eyJhbGciOiJFUzI1NiJ9",
         *           "header": {
         *             "kid": "backend-1.mycompany.example"
         *           },
         *           "signature": "mYNYjlfR_fUOGrww_Hw-UiqKCPbZE0vC0-yGGfTgLj3-GNhyXTdX5BiSkx_mhpUy1m6mnQbb5rIHUfCaYQBH9A"
         *         }
         *       ]
         *     }
         */
        ManagementJwt: {
            /**
             * @description base64url (unpadded) of the JSON claims: `exp`, `jti`, optional `iat`, `nbf`, `iss`, `aud`, and `data` (the action's parameters).
             * @example eyJpYXQiOjE3MTc5OTk5OTAsImV4cCI6MTcxODAwMDA1MCwianRpIjoiNGYwYzFkM2U5YTJiIiwiZGF0YSI6eyJhY2NvdW50X3VpZCI6IklEMDkyQjJBRjhFOCIsImtleSI6InRpZXIiLCJ2YWx1ZSI6ImdvbGQifX0
             */
            payload: string;
            /**
             * @description One entry per signer. Signatures by signers the action's scope does not permit are ignored.
             * @example [
             *       {
             *         "protected": "eyJhbGciOiJFUzI1NiJ9",
             *         "header": {
             *           "kid": "backend-1.mycompany.example"
             *         },
             *         "signature": "mYNYjlfR_fUOGrww_Hw-UiqKCPbZE0vC0-yGGfTgLj3-GNhyXTdX5BiSkx_mhpUy1m6mnQbb5rIHUfCaYQBH9A"
             *       }
             *     ]
             */
            signatures: components["schemas"]["ManagementJwtSignature"][];
        };
        /**
         * @description The claims of a Management API JWT (its decoded payload).
         * @example {
         *       "exp": 1718000050,
         *       "jti": "4f0c1d3e9a2b",
         *       "iat": 1717999990,
         *       "data": {
         *         "account_uid": "ID092B2AF8E8",
         *         "key": "tier",
         *         "value": "gold"
         *       }
         *     }
         */
        ManagementJwtClaims: {
            /**
             * @description Audience; checked when the configuration names one.
             * @example barong
             */
            aud?: string;
            /**
             * @description The action's parameters (the operation's `x-management-data`).
             * @example {
             *       "account_uid": "ID092B2AF8E8",
             *       "key": "tier",
             *       "value": "gold"
             *     }
             */
            data?: components["schemas"]["ManagementLabelData"] | components["schemas"]["ManagementLabelKeyData"] | components["schemas"]["ManagementUserGetData"] | components["schemas"]["ManagementUserListData"];
            /**
             * @description Expiry, seconds since the Unix epoch; at most the configured horizon (default 3600 s) ahead.
             * @example 1718000050
             */
            exp: number;
            /**
             * @description Issue time, seconds since the Unix epoch; not in the future.
             * @example 1717999990
             */
            iat?: number;
            /**
             * @description Issuer; checked when the configuration names one.
             * @example applogic
             */
            iss?: string;
            /**
             * @description A unique id; each is accepted once.
             * @example 4f0c1d3e9a2b
             */
            jti: string;
        };
        /**
         * @description One signer's signature over the payload.
         * @example {
         *       "protected": "eyJhbGciOiJFUzI1NiJ9",
         *       "header": {
         *         "kid": "backend-1.mycompany.example"
         *       },
         *       "signature": "mYNYjlfR_fUOGrww_Hw-UiqKCPbZE0vC0-yGGfTgLj3-GNhyXTdX5BiSkx_mhpUy1m6mnQbb5rIHUfCaYQBH9A"
         *     }
         */
        ManagementJwtSignature: {
            header: components["schemas"]["ManagementJwtSignatureHeader"];
            /**
             * @description base64url of the protected header, `{"alg":"RS256"}` (the algorithm must be the one the keychain names for the signer).
             * @example eyJhbGciOiJFUzI1NiJ9
             */
            protected: string;
            /**
             * @description base64url of the signature.
             * @example mYNYjlfR_fUOGrww_Hw-UiqKCPbZE0vC0-yGGfTgLj3-GNhyXTdX5BiSkx_mhpUy1m6mnQbb5rIHUfCaYQBH9A
             */
            signature: string;
        };
        /**
         * @description The unprotected header of a signature.
         * @example {
         *       "kid": "backend-1.mycompany.example"
         *     }
         */
        ManagementJwtSignatureHeader: {
            /**
             * @description The signer id, a key of the configured keychain.
             * @example backend-1.mycompany.example
             */
            kid: string;
        };
        /**
         * @description `data` of creating or updating a private label (Management API).
         * @example {
         *       "account_uid": "ID092B2AF8E8",
         *       "key": "tier",
         *       "value": "gold"
         *     }
         */
        ManagementLabelData: {
            /**
             * @description The account's uid.
             * @example ID092B2AF8E8
             */
            account_uid: string;
            /**
             * @description Label key (3-255 characters of a-z, 0-9, _ and -).
             * @example tier
             */
            key: string;
            /**
             * @description Label value (3-255 characters of A-Z, a-z, 0-9, _ and -).
             * @example gold
             */
            value: string;
        };
        /**
         * @description `data` of deleting a private label (Management API).
         * @example {
         *       "account_uid": "ID092B2AF8E8",
         *       "key": "tier"
         *     }
         */
        ManagementLabelKeyData: {
            /**
             * @description The account's uid.
             * @example ID092B2AF8E8
             */
            account_uid: string;
            /**
             * @description Label key.
             * @example tier
             */
            key: string;
        };
        /**
         * @description The server time (Management API).
         * @example {
         *       "timestamp": 1718000000
         *     }
         */
        ManagementTimestamp: {
            /**
             * @description Seconds since the Unix epoch.
             * @example 1718000000
             */
            timestamp: number;
        };
        /**
         * @description `data` of reading one account (Management API): exactly one of `uid` and `email`.
         * @example {
         *       "uid": "ID092B2AF8E8"
         *     }
         */
        ManagementUserGetData: {
            /**
             * @description The account's email (case-insensitive).
             * @example user@example.com
             */
            email?: string;
            /**
             * @description The account's uid.
             * @example ID092B2AF8E8
             */
            uid?: string;
        };
        /**
         * @description `data` of listing accounts (Management API).
         * @example {
         *       "page": 1,
         *       "limit": 100
         *     }
         */
        ManagementUserListData: {
            /**
             * @description Accounts per page (1..100).
             * @default 100
             * @example 100
             */
            limit: number;
            /**
             * @description Page number, from 1 (at most 1000000).
             * @default 1
             * @example 1
             */
            page: number;
        };
        /**
         * @description A confirmation message.
         * @example {
         *       "message": "Code was sent successfully"
         *     }
         */
        Message: {
            /**
             * @description The message.
             * @example Code was sent successfully
             */
            message: string;
        };
        /**
         * @description The JSON literal `null`: Barong 1.8 answers these operations with an empty (nil) value serialised as JSON.
         * @example null
         */
        Null: null;
        /**
         * @description A mail or Event API event waiting in the outbox.
         * @example {
         *       "uid": "5f0c6a52-3f1e-4c7b-9d53-2f1c0b7a9e11",
         *       "kind": "mail",
         *       "state": "dead",
         *       "recipient": "user@example.com",
         *       "subject": "Confirmation instructions",
         *       "attempts": 15,
         *       "last_error": "451 Requested action aborted",
         *       "next_attempt_at": "2024-06-10T15:13:20Z",
         *       "created_at": "2024-06-10T09:13:20Z"
         *     }
         */
        OutboxJob: {
            /**
             * @description Attempts made so far.
             * @example 15
             */
            attempts: number;
            /**
             * Format: date-time
             * @description When the change that wrote it was committed, UTC ISO-8601.
             * @example 2024-06-10T09:13:20Z
             */
            created_at: string;
            /**
             * @description The event's name (events only).
             * @example model.account.created
             */
            event?: string;
            /**
             * @description `mail` or `event`.
             * @example mail
             * @enum {string}
             */
            kind: "mail" | "event";
            /**
             * @description Why the last attempt failed.
             * @example 451 Requested action aborted
             */
            last_error?: string | null;
            /**
             * Format: date-time
             * @description When a pending job is tried next (for a dead job, when it would have been), UTC ISO-8601.
             * @example 2024-06-10T15:13:20Z
             */
            next_attempt_at: string;
            /**
             * @description The mail's recipient (mails only).
             * @example user@example.com
             */
            recipient?: string;
            /**
             * @description `pending` (waiting for an attempt) or `dead` (given up; retry it).
             * @example dead
             * @enum {string}
             */
            state: "pending" | "dead";
            /**
             * @description The mail's subject (mails only).
             * @example Confirmation instructions
             */
            subject?: string;
            /**
             * @description Stable id of the job; the mail's Message-ID (`<uid@outbox.barong>`) or the event's `jti`.
             * @example 5f0c6a52-3f1e-4c7b-9d53-2f1c0b7a9e11
             */
            uid: string;
        };
        /**
         * @description Answer of `POST /v1/admin/outbox/retry`.
         * @example {
         *       "retried": 3
         *     }
         */
        OutboxRetryResult: {
            /**
             * @description Number of dead jobs put back in the queue.
             * @example 3
             */
            retried: number;
        };
        /**
         * @description Body of `PATCH /v1/api_keys/{uid}`; omitted fields stay unchanged.
         * @example {
         *       "state": "inactive",
         *       "totp_code": "123456"
         *     }
         */
        PatchV1ApiKeysUidRequest: {
            /**
             * @description Lifetime in seconds of the session JWTs minted with this key; an integer (a non-number is 400 `"expires_in is invalid"`), 30..86400 (checked by the server, 422 `"Expires in must be less than or equal to 86400"`).
             * @example 3600
             */
            expires_in?: number;
            /**
             * @description An RSA (at least 2048 bits) or EC (P-256, P-384, P-521) public key: the PEM, or URL-safe Base64 of the PEM as Barong clients send it (must parse, 422 otherwise).
             * @example LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K
             */
            public_key?: string;
            /**
             * @description Comma separated scopes (free text, at most 255 characters, checked by the server, 422).
             * @example trade
             */
            scopes?: string;
            /**
             * @description Key state, `active` (the key can mint sessions) or `inactive` (checked by the server, 422 `"State is not included in the list"`).
             * @example inactive
             */
            state?: string;
            /**
             * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once.
             * @example 123456
             */
            totp_code: string;
        };
        /**
         * @description Body of `PATCH /v1/labels/{key}`.
         * @example {
         *       "value": "trader_jane"
         *     }
         */
        PatchV1LabelsKeyRequest: {
            /**
             * @description New label value. 3 to 255 characters of `[A-Za-z0-9_-]` (checked by the server, 422); stored downcased.
             * @example trader_jane
             */
            value: string;
        };
        /**
         * @description Body of `POST /v1/accounts/confirm`.
         * @example {
         *       "confirmation_token": "Fq3LxY8s2mZ9vB1nQ7kT"
         *     }
         */
        PostV1AccountsConfirmRequest: {
            /**
             * @description Token from the confirmation email.
             * @example Fq3LxY8s2mZ9vB1nQ7kT
             */
            confirmation_token: string;
        };
        /**
         * @description Body of `POST /v1/accounts` (sign up).
         * @example {
         *       "email": "user@example.com",
         *       "password": "Secret123"
         *     }
         */
        PostV1AccountsRequest: {
            /**
             * @description Account email. Must be a valid address (checked by the server, 422 `"Email is invalid"`) and not taken (422 `"Email has already been taken"`).
             * @example user@example.com
             */
            email: string;
            /**
             * @description Account password. Rules (checked by the server, 422): 6 to 128 characters, at least one digit, one lower-case and one upper-case letter.
             * @example Secret123
             */
            password: string;
        };
        /**
         * @description Body of `POST /v1/accounts/send_confirmation_instructions`.
         * @example {
         *       "email": "user@example.com"
         *     }
         */
        PostV1AccountsSendConfirmationInstructionsRequest: {
            /**
             * @description Email of the account to confirm. Any value of at most 255 characters is answered 201.
             * @example user@example.com
             */
            email: string;
        };
        /**
         * @description Body of `POST /v1/admin/applications`.
         * @example {
         *       "name": "Peatio",
         *       "redirect_uri": "https://peatio.example.com/auth/barong/callback"
         *     }
         */
        PostV1AdminApplicationsRequest: {
            /**
             * @description Display name.
             * @example Peatio
             */
            name: string;
            /**
             * @description Optional OAuth redirect URI.
             * @example https://peatio.example.com/auth/barong/callback
             */
            redirect_uri?: string;
        };
        /**
         * @description Body of `POST /v1/admin/reviews/{uid}`.
         * @example {
         *       "decision": "reject",
         *       "reason": "The passport photo is blurred; please upload a sharper scan."
         *     }
         */
        PostV1AdminReviewsUidRequest: {
            /**
             * @description `approve` (document label `verified`) or `reject` (`rejected`).
             * @example reject
             * @enum {string}
             */
            decision: "approve" | "reject";
            /**
             * @description Decide again an account whose review is already decided.
             * @default false
             * @example false
             */
            re_review: boolean;
            /**
             * @description Why the documents were rejected; required to reject (at most 1000 characters), mailed to the user.
             * @example The passport photo is blurred; please upload a sharper scan.
             */
            reason?: string;
        };
        /**
         * @description Body of `POST /v1/api_keys`.
         * @example {
         *       "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K",
         *       "scopes": "trade",
         *       "expires_in": 86400,
         *       "totp_code": "123456"
         *     }
         */
        PostV1ApiKeysRequest: {
            /**
             * @description Lifetime in seconds of the session JWTs minted with this key; an integer (a non-number is 400 `"expires_in is invalid"`), 30..86400 (checked by the server, 422 `"Expires in must be less than or equal to 86400"`). Default 86400.
             * @example 86400
             */
            expires_in?: number;
            /**
             * @description An RSA (at least 2048 bits) or EC (P-256, P-384, P-521) public key: the PEM, or URL-safe Base64 of the PEM as Barong clients send it (must parse, 422 otherwise).
             * @example LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K
             */
            public_key: string;
            /**
             * @description Comma separated scopes (free text, at most 255 characters, checked by the server, 422); split on commas, they become the `aud` array of minted sessions.
             * @example trade
             */
            scopes?: string;
            /**
             * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once.
             * @example 123456
             */
            totp_code: string;
        };
        /**
         * @description Multipart body of `POST /v1/documents`.
         * @example {
         *       "doc_type": "Passport",
         *       "doc_number": "AA1234BB",
         *       "doc_expire": "2030-01-22",
         *       "upload": "<binary JPEG data>"
         *     }
         */
        PostV1DocumentsRequest: {
            /**
             * @description Expiry date, `YYYY-MM-DD` (checked by the server, 422 `"Doc expire Date must be in the following format: yyyy-mm-dd"`).
             * @example 2030-01-22
             */
            doc_expire: string;
            /**
             * @description Document number, at most 128 characters (checked by the server, 422).
             * @example AA1234BB
             */
            doc_number: string;
            /**
             * @description Document type: `Passport`, `Identity card`, `Driver license` or `Utility Bill` (checked by the server, 422 `"Doc type is not included in the list"`).
             * @example Passport
             */
            doc_type: string;
            /**
             * @description Optional JSON-encoded object of free key/value pairs, at most 10 levels deep and 16 KB (422 `"Metadata is invalid"` otherwise).
             * @example {"issuer":"UK"}
             */
            metadata?: string;
            /**
             * Format: binary
             * @description The file: JPEG, PNG or PDF (recognised by content, 422 otherwise), at most 10 MB (413).
             * @example <binary JPEG data>
             */
            upload: Blob;
        };
        /**
         * @description Body of `POST /v1/labels`.
         * @example {
         *       "key": "nickname",
         *       "value": "trader_joe"
         *     }
         */
        PostV1LabelsRequest: {
            /**
             * @description Label key. 3 to 255 characters of `[A-Za-z0-9_-]` (checked by the server, 422); stored downcased.
             * @example nickname
             */
            key: string;
            /**
             * @description Label value. 3 to 255 characters of `[A-Za-z0-9_-]` (checked by the server, 422); stored downcased.
             * @example trader_joe
             */
            value: string;
        };
        /**
         * @description Body of `POST /v1/phones`.
         * @example {
         *       "phone_number": "+44 7911 123456"
         *     }
         */
        PostV1PhonesRequest: {
            /**
             * @description Phone number in international format with country code; punctuation is stripped (checked by the server: 400 `"Phone number is invalid"`).
             * @example +44 7911 123456
             */
            phone_number: string;
        };
        /**
         * @description Body of `POST /v1/phones/send_code`.
         * @example {
         *       "phone_number": "+44 7911 123456"
         *     }
         */
        PostV1PhonesSendCodeRequest: {
            /**
             * @description Phone number in international format with country code; punctuation is stripped (checked by the server: 400 `"Phone number is invalid"`).
             * @example +44 7911 123456
             */
            phone_number: string;
        };
        /**
         * @description Body of `POST /v1/phones/verify`.
         * @example {
         *       "phone_number": "+44 7911 123456",
         *       "verification_code": "48213"
         *     }
         */
        PostV1PhonesVerifyRequest: {
            /**
             * @description Phone number in international format with country code; punctuation is stripped (checked by the server: 400 `"Phone number is invalid"`).
             * @example +44 7911 123456
             */
            phone_number: string;
            /**
             * @description Code received by SMS (valid 10 minutes, 5 attempts).
             * @example 48213
             */
            verification_code: string;
        };
        /**
         * @description Body of `POST /v1/profiles`.
         * @example {
         *       "first_name": "Jane",
         *       "last_name": "Doe",
         *       "dob": "1990-04-21",
         *       "address": "12 Baker Street",
         *       "postcode": "NW1 6XE",
         *       "city": "London",
         *       "country": "GB",
         *       "metadata": {
         *         "state": "Greater London"
         *       }
         *     }
         */
        PostV1ProfilesRequest: {
            /**
             * @description Street address.
             * @example 12 Baker Street
             */
            address: string;
            /**
             * @description City.
             * @example London
             */
            city: string;
            /**
             * @description Country, ISO 3166-1 alpha-2 or alpha-3 code or English short name (checked by the server, 422).
             * @example GB
             */
            country: string;
            /**
             * @description Date of birth, `YYYY-MM-DD`; must be a real past date (checked by the server: an unparseable date is 400 `"dob is invalid"`).
             * @example 1990-04-21
             */
            dob: string;
            /**
             * @description First name.
             * @example Jane
             */
            first_name: string;
            /**
             * @description Last name.
             * @example Doe
             */
            last_name: string;
            metadata?: components["schemas"]["ProfileMetadata"];
            /**
             * @description Postal code.
             * @example NW1 6XE
             */
            postcode: string;
        };
        /**
         * @description Body of `POST /v1/security/enable_2fa`.
         * @example {
         *       "code": "123456"
         *     }
         */
        PostV1SecurityEnable2faRequest: {
            /**
             * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once. It must match the secret from `generate_qrcode`.
             * @example 123456
             */
            code: string;
        };
        /**
         * @description Optional body of `POST /v1/security/renew`.
         * @example {
         *       "expires_in": 14400
         *     }
         */
        PostV1SecurityRenewRequest: {
            /**
             * @description Lifetime of the session JWT in seconds; an integer (a non-number is 400 `"expires_in is invalid"`). Must lie in 30..86400 (checked by the server, 422); default `JWT_LIFETIME` (14400).
             * @example 14400
             */
            expires_in?: number;
        };
        /**
         * @description Body of `POST /v1/security/reset_password`.
         * @example {
         *       "email": "user@example.com"
         *     }
         */
        PostV1SecurityResetPasswordRequest: {
            /**
             * @description Account email (at most 255 characters).
             * @example user@example.com
             */
            email: string;
        };
        /**
         * @description Body of `POST /v1/security/verify_api_key`.
         * @example {
         *       "uid": "5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b",
         *       "account_uid": "ID092B2AF8E8"
         *     }
         */
        PostV1SecurityVerifyApiKeyRequest: {
            /**
             * @description Account uid the key must belong to (optional).
             * @example ID092B2AF8E8
             */
            account_uid?: string;
            /**
             * @description API key uid.
             * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
             */
            uid: string;
        };
        /**
         * @description Body of `POST /v1/security/verify_code`.
         * @example {
         *       "code": "123456"
         *     }
         */
        PostV1SecurityVerifyCodeRequest: {
            /**
             * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once.
             * @example 123456
             */
            code: string;
        };
        /**
         * @description Body of `POST /v1/sessions/generate_jwt`.
         * @example {
         *       "kid": "5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b",
         *       "jwt_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAwMTIwMCwic3ViIjoiYXBpX2tleV9qd3QiLCJpc3MiOiJleHRlcm5hbCIsImp0aSI6ImE5ZjNjMmUxLTc3YjQtNGMxZC05ZTBmLTJiOGQ2YTRjM2UxMCJ9.kP2sV9xQ4mT7wB1nZ6cR3yH8uJ5dL0fG2aE7vK9pX4tW1qN6sM3bC8rY5hU0jD2gF7lA4zI9oS6eT1xV3wQ8"
         *     }
         */
        PostV1SessionsGenerateJwtRequest: {
            /**
             * @description JWT signed by the client with the key's private key (RS256 for RSA keys, ES256 for EC P-256 keys): `sub` `api_key_jwt`, `iss` `external`, `exp` at most 1 hour ahead, and a `jti` that is accepted once.
             * @example eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAwMTIwMCwic3ViIjoiYXBpX2tleV9qd3QiLCJpc3MiOiJleHRlcm5hbCIsImp0aSI6ImE5ZjNjMmUxLTc3YjQtNGMxZC05ZTBmLTJiOGQ2YTRjM2UxMCJ9.kP2sV9xQ4mT7wB1nZ6cR3yH8uJ5dL0fG2aE7vK9pX4tW1qN6sM3bC8rY5hU0jD2gF7lA4zI9oS6eT1xV3wQ8
             */
            jwt_token: string;
            /**
             * @description API key uid.
             * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
             */
            kid: string;
        };
        /**
         * @description Body of `POST /v1/sessions` (password sign-in).
         * @example {
         *       "email": "user@example.com",
         *       "password": "Secret123",
         *       "application_id": "b6f1a0c2d4e8f9a1b3c5d7e9f0a2b4c6",
         *       "expires_in": 14400
         *     }
         */
        PostV1SessionsRequest: {
            /**
             * @description Client application uid (see the admin applications).
             * @example b6f1a0c2d4e8f9a1b3c5d7e9f0a2b4c6
             */
            application_id: string;
            /**
             * @description Account email.
             * @example user@example.com
             */
            email: string;
            /**
             * @description Lifetime of the session JWT in seconds; an integer (a non-number is 400 `"expires_in is invalid"`). Must lie in 30..86400 (checked by the server, 422); default `JWT_LIFETIME` (14400).
             * @example 14400
             */
            expires_in?: number;
            /**
             * @description Current TOTP code; required when the account has 2FA on.
             * @example 123456
             */
            otp_code?: string;
            /**
             * @description Account password.
             * @example Secret123
             */
            password: string;
        };
        /**
         * @description The KYC profile of the account (one per account).
         * @example {
         *       "first_name": "Jane",
         *       "last_name": "Doe",
         *       "dob": "1990-04-21",
         *       "address": "12 Baker Street",
         *       "postcode": "NW1 6XE",
         *       "city": "London",
         *       "country": "GB",
         *       "metadata": {
         *         "state": "Greater London"
         *       }
         *     }
         */
        Profile: {
            /**
             * @description Street address.
             * @example 12 Baker Street
             */
            address: string;
            /**
             * @description City.
             * @example London
             */
            city: string;
            /**
             * @description Country, as supplied at creation (ISO 3166-1 code).
             * @example GB
             */
            country: string;
            /**
             * Format: date
             * @description Date of birth, `YYYY-MM-DD`.
             * @example 1990-04-21
             */
            dob: string;
            /**
             * @description First name.
             * @example Jane
             */
            first_name: string;
            /**
             * @description Last name.
             * @example Doe
             */
            last_name: string;
            /**
             * @description Free key/value pairs supplied at creation, or `null`.
             * @example {
             *       "state": "Greater London"
             *     }
             */
            metadata: components["schemas"]["ProfileMetadata"] | null;
            /**
             * @description Postal code.
             * @example NW1 6XE
             */
            postcode: string;
        };
        /**
         * @description Free key/value pairs supplied with the profile; at most 10 levels deep and 16 KB as JSON (422 `"Metadata is invalid"` otherwise).
         * @example {
         *       "state": "Greater London"
         *     }
         */
        ProfileMetadata: {
            [key: string]: unknown;
        };
        /**
         * @description Body of `PUT /v1/accounts/password`.
         * @example {
         *       "old_password": "Secret123",
         *       "new_password": "N3wSecret456"
         *     }
         */
        PutV1AccountsPasswordRequest: {
            /**
             * @description New password. Rules (checked by the server, 422): 6 to 128 characters, at least one digit, one lower-case and one upper-case letter. It must differ from the current password.
             * @example N3wSecret456
             */
            new_password: string;
            /**
             * @description Current password.
             * @example Secret123
             */
            old_password: string;
        };
        /**
         * @description Body of `PUT /v1/admin/accounts/{uid}/labels/{key}`.
         * @example {
         *       "value": "verified"
         *     }
         */
        PutV1AdminAccountsUidLabelsKeyRequest: {
            /**
             * @description Label value. 3 to 255 characters of `[A-Za-z0-9_-]` (checked by the server, 422); stored downcased.
             * @example verified
             */
            value: string;
        };
        /**
         * @description Body of `PUT /v1/admin/accounts/{uid}/role`.
         * @example {
         *       "role": "compliance"
         *     }
         */
        PutV1AdminAccountsUidRoleRequest: {
            /**
             * @description New role.
             * @example compliance
             * @enum {string}
             */
            role: "admin" | "compliance" | "member";
        };
        /**
         * @description Body of `PUT /v1/security/reset_password`.
         * @example {
         *       "reset_password_token": "kR7tY2pQ9wZ4xL8mN3vB",
         *       "password": "N3wSecret456"
         *     }
         */
        PutV1SecurityResetPasswordRequest: {
            /**
             * @description New password. Rules (checked by the server, 422): 6 to 128 characters, at least one digit, one lower-case and one upper-case letter.
             * @example N3wSecret456
             */
            password: string;
            /**
             * @description Token from the reset email (valid 6 hours, single use).
             * @example kR7tY2pQ9wZ4xL8mN3vB
             */
            reset_password_token: string;
        };
        /**
         * @description Answer of `generate_qrcode`, shaped like Barong's Vault secret: clients read `data.barcode` and `data.url`.
         * @example {
         *       "data": {
         *         "barcode": "iVBORw0KGgoAAAANSUhEUgAAASwAAAEsCAAAAABcFtGpAAAF",
         *         "url": "otpauth://totp/Barong:user@example.com?algorithm=SHA1&digits=6&issuer=Barong&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
         *       }
         *     }
         */
        QRCode: {
            data: components["schemas"]["QRCodeData"];
        };
        /**
         * @description The TOTP secret to enrol in an authenticator app.
         * @example {
         *       "barcode": "iVBORw0KGgoAAAANSUhEUgAAASwAAAEsCAAAAABcFtGpAAAF",
         *       "url": "otpauth://totp/Barong:user@example.com?algorithm=SHA1&digits=6&issuer=Barong&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
         *     }
         */
        QRCodeData: {
            /**
             * @description Base64 PNG image (300x300) of the QR code.
             * @example iVBORw0KGgoAAAANSUhEUgAAASwAAAEsCAAAAABcFtGpAAAF
             */
            barcode: string;
            /**
             * @description `otpauth://totp/...` URI holding the Base32 secret.
             * @example otpauth://totp/Barong:user@example.com?algorithm=SHA1&digits=6&issuer=Barong&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
             */
            url: string;
        };
        /**
         * @description The session JWT (RS256) as a bare JSON string. Send it as `Authorization: Bearer <token>`.
         * @example eyJhbGciOiJSUzI1NiIsImtpZCI6IjNrVmJxMF9QcDdkMiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAxNDQwMCwic3ViIjoic2Vzc2lvbiIsImlzcyI6ImJhcm9uZyIsImF1ZCI6WyJwZWF0aW8iLCJiYXJvbmciXSwianRpIjoiMUE2RjNFMEM5QjJENEU3RjhBMDFCMkMzIiwidWlkIjoiSUQwOTJCMkFGOEU4IiwiZW1haWwiOiJ1c2VyQGV4YW1wbGUuY29tIiwicm9sZSI6Im1lbWJlciIsImxldmVsIjoxLCJzdGF0ZSI6ImFjdGl2ZSJ9.Xq3nJ0cRk1m8wJx2n9gq0yV6c4Z1bR5tH8pL2sD7fK3aQ9vW6eU1iO4yT0rE5wQ2zX8cV7bN3mA6sD9fG1hJ4k
         */
        SessionToken: string;
    };
    responses: {
        /** @description The SMS provider failed. */
        BadGateway: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Something wrong with Twilio Client"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Missing, empty or mistyped parameters (Grape-style, every failing parameter joined by ", "), or a Barong check answered 400. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "email is missing, email is empty"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The resource already exists. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Profile already exists"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Authenticated but not allowed (non-admin on admin endpoints, missing or invalid OTP code on sign-in). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Access denied"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Management API: a query string, a body that is not `application/json`, or a body that is not JSON. */
        ManagementBadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Management API: a signature, a claim or a replayed `jti` failed verification, or a mandatory signer of the action's scope did not sign. */
        ManagementUnauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The record does not exist or does not belong to the account. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Record is not found"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The uploaded file is larger than 10 MB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Upload is too large (maximum is 10 MB)"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The account's review is already decided (send `re_review` to decide again). */
        ReviewConflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Review is already decided"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Temporarily unable to serve — password hashing busy, or the database unreachable, restarting or not answering within its timeout (`"Database is unavailable"`; a valid session is never answered 401 for it) — retry after `Retry-After` seconds. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Server is busy, please try again later"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Rate limit exceeded; retry after `Retry-After` seconds. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Too many requests, retry later"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Authentication failed: missing, invalid, expired or revoked token, or wrong credentials. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "The access token is invalid"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A rule check failed (Barong message). An array of messages for sign-up. */
        UnprocessableEntity: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The request body has a content type this operation does not take (for example multipart/form-data anywhere but POST /v1/documents). */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "Unsupported content type"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /**
         * @description Account uid.
         * @example ID092B2AF8E8
         */
        AccountUid: string;
        /**
         * @description API key uid (UUID).
         * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
         */
        ApiKeyUid: string;
        /**
         * @description Document id.
         * @example 42
         */
        DocumentId: number;
        /**
         * @description Label key.
         * @example document
         */
        LabelKey: string;
        /**
         * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once. Checked after authentication and after the 2FA-enabled check.
         * @example 123456
         */
        TotpCodeQuery: string;
    };
    requestBodies: {
        /** @description A JWT with one or more signatures in JWS JSON general serialization (the `jwt-multisig` format). Its payload holds `exp` (required, at most the configured horizon ahead), `jti` (required; accepted once), optional `iat`, `nbf`, `iss`, `aud`, and `data`: the action's parameters (see each operation's `x-management-data`). Sent as `Content-Type: application/json`, with no query string. While the Management API is off (no keychain configured) every operation answers 404. */
        ManagementJwt: {
            content: {
                "application/json": components["schemas"]["ManagementJwt"];
            };
        };
    };
    headers: {
        /**
         * @description Seconds to wait before retrying.
         * @example 60
         */
        RetryAfter: number;
        /**
         * @description How many items the whole list holds (all pages).
         * @example 12
         */
        TotalCount: number;
    };
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    getWellKnownJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key set. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
        };
    };
    putManagementV1Labels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description The label. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    postManagementV1Labels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description The label. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    postManagementV1LabelsDelete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description Deleted; no content. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    postManagementV1Timestamp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description The server time. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ManagementTimestamp"];
                };
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    postManagementV1UsersGet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description The account. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAccountDetails"];
                };
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    postManagementV1UsersList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ManagementJwt"];
        responses: {
            /** @description The accounts of the page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAccount"][];
                };
            };
            400: components["responses"]["ManagementBadRequest"];
            401: components["responses"]["ManagementUnauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    postV1Accounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1AccountsRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1AccountsRequest"];
            };
        };
        responses: {
            /** @description Account created; confirmation email sent. The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1AccountsConfirm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1AccountsConfirmRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1AccountsConfirmRequest"];
            };
        };
        responses: {
            /** @description Email confirmed. The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AccountsMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Account"];
                };
            };
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    putV1AccountsPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutV1AccountsPasswordRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PutV1AccountsPasswordRequest"];
            };
        };
        responses: {
            /** @description Password changed. The body is the JSON literal `null`, as in Barong. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1AccountsSendConfirmationInstructions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1AccountsSendConfirmationInstructionsRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1AccountsSendConfirmationInstructionsRequest"];
            };
        };
        responses: {
            /** @description Accepted (whether or not a mail was sent). The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AdminAccounts: {
        parameters: {
            query?: {
                /**
                 * @description Only the account with this email (exact, case-insensitive).
                 * @example user@example.com
                 */
                email?: string;
                /**
                 * @description Page size (1..1000).
                 * @example 100
                 */
                limit?: number;
                /**
                 * @description Number of accounts to skip.
                 * @example 0
                 */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The accounts. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "uid": "ID092B2AF8E8",
                     *         "email": "user@example.com",
                     *         "role": "member",
                     *         "level": 2,
                     *         "state": "active",
                     *         "otp_enabled": true,
                     *         "created_at": "2024-06-10T09:13:20Z",
                     *         "updated_at": "2024-06-10T09:13:20Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["AdminAccount"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AdminAccountsUid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAccountDetails"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AdminAccountsUidDocumentsIdFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Document id.
                 * @example 42
                 */
                id: components["parameters"]["DocumentId"];
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": Blob;
                    "image/jpeg": Blob;
                    "image/png": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    putV1AdminAccountsUidLabelsKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Label key.
                 * @example document
                 */
                key: components["parameters"]["LabelKey"];
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutV1AdminAccountsUidLabelsKeyRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PutV1AdminAccountsUidLabelsKeyRequest"];
            };
        };
        responses: {
            /** @description The label. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "document",
                     *       "value": "verified",
                     *       "scope": "private",
                     *       "created_at": "2024-06-10T09:13:20Z",
                     *       "updated_at": "2024-06-10T09:13:20Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteV1AdminAccountsUidLabelsKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Label key.
                 * @example document
                 */
                key: components["parameters"]["LabelKey"];
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; no content. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteV1AdminAccountsUidOtp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account with 2FA disabled. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "uid": "ID092B2AF8E8",
                     *       "email": "user@example.com",
                     *       "role": "member",
                     *       "level": 2,
                     *       "state": "active",
                     *       "otp_enabled": false,
                     *       "created_at": "2024-06-10T09:13:20Z",
                     *       "updated_at": "2024-06-10T09:13:20Z"
                     *     }
                     */
                    "application/json": components["schemas"]["AdminAccount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    putV1AdminAccountsUidRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutV1AdminAccountsUidRoleRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PutV1AdminAccountsUidRoleRequest"];
            };
        };
        responses: {
            /** @description The updated account. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAccount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AdminApplications: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The applications. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "uid": "b6f1a0c2d4e8f9a1b3c5d7e9f0a2b4c6",
                     *         "name": "Peatio",
                     *         "redirect_uri": "https://peatio.example.com/auth/barong/callback",
                     *         "created_at": "2024-06-10T09:13:20Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["Application"][];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1AdminApplications: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1AdminApplicationsRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1AdminApplicationsRequest"];
            };
        };
        responses: {
            /** @description The created application. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Application"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1AdminAudit: {
        parameters: {
            query?: {
                /**
                 * @description Only actions on this account.
                 * @example ID092B2AF8E8
                 */
                account_uid?: string;
                /**
                 * @description Only this action (`review.approve`, `review.reject`, `label.set`, `label.delete`, `role.change`, `otp.disable`, `application.create`).
                 * @example review.reject
                 */
                action?: string;
                /**
                 * @description Only actions by this actor (an account uid, or `operator token`).
                 * @example ID5A1C0FFEE1
                 */
                actor?: string;
                /**
                 * @description Page size (1..1000).
                 * @example 100
                 */
                limit?: number;
                /**
                 * @description Number of records to skip.
                 * @example 0
                 */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The records, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditRecord"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getV1AdminOutboxJobs: {
        parameters: {
            query?: {
                /**
                 * @description Page size (1..1000).
                 * @example 100
                 */
                limit?: number;
                /**
                 * @description Number of jobs to skip.
                 * @example 0
                 */
                offset?: number;
                /**
                 * @description `dead` (default) or `pending`.
                 * @example dead
                 */
                state?: "dead" | "pending";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The jobs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "uid": "5f0c6a52-3f1e-4c7b-9d53-2f1c0b7a9e11",
                     *         "kind": "mail",
                     *         "state": "dead",
                     *         "recipient": "user@example.com",
                     *         "subject": "Confirmation instructions",
                     *         "attempts": 15,
                     *         "last_error": "451 Requested action aborted",
                     *         "next_attempt_at": "2024-06-10T15:13:20Z",
                     *         "created_at": "2024-06-10T09:13:20Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["OutboxJob"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postV1AdminOutboxJobsJobUidRetry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Job uid.
                 * @example 5f0c6a52-3f1e-4c7b-9d53-2f1c0b7a9e11
                 */
                job_uid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job, pending again. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OutboxJob"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
        };
    };
    postV1AdminOutboxRetry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many jobs were put back. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OutboxRetryResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
        };
    };
    getV1AdminReviews: {
        parameters: {
            query?: {
                /**
                 * @description Page size (1..100).
                 * @example 20
                 */
                limit?: number;
                /**
                 * @description Number of reviews to skip.
                 * @example 0
                 */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of the queue. */
            200: {
                headers: {
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminReview"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    postV1AdminReviewsUid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Account uid.
                 * @example ID092B2AF8E8
                 */
                uid: components["parameters"]["AccountUid"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1AdminReviewsUidRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1AdminReviewsUidRequest"];
            };
        };
        responses: {
            /** @description The account after the decision. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAccountDetails"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["ReviewConflict"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
        };
    };
    getV1ApiKeys: {
        parameters: {
            query: {
                /**
                 * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once. Checked after authentication and after the 2FA-enabled check.
                 * @example 123456
                 */
                totp_code: components["parameters"]["TotpCodeQuery"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API keys. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "uid": "5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b",
                     *         "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K",
                     *         "scopes": "trade",
                     *         "expires_in": 86400,
                     *         "state": "active",
                     *         "created_at": "2024-06-10T09:13:20Z",
                     *         "updated_at": "2024-06-10T09:13:20Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["APIKey"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1ApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1ApiKeysRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1ApiKeysRequest"];
            };
        };
        responses: {
            /** @description The created key. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["APIKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1ApiKeysUid: {
        parameters: {
            query: {
                /**
                 * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once. Checked after authentication and after the 2FA-enabled check.
                 * @example 123456
                 */
                totp_code: components["parameters"]["TotpCodeQuery"];
            };
            header?: never;
            path: {
                /**
                 * @description API key uid (UUID).
                 * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
                 */
                uid: components["parameters"]["ApiKeyUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["APIKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteV1ApiKeysUid: {
        parameters: {
            query: {
                /**
                 * @description Current 6-digit code from the authenticator app (TOTP, SHA1, 30 s). A code is accepted once. Checked after authentication and after the 2FA-enabled check.
                 * @example 123456
                 */
                totp_code: components["parameters"]["TotpCodeQuery"];
            };
            header?: never;
            path: {
                /**
                 * @description API key uid (UUID).
                 * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
                 */
                uid: components["parameters"]["ApiKeyUid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; no content. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    patchV1ApiKeysUid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description API key uid (UUID).
                 * @example 5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b
                 */
                uid: components["parameters"]["ApiKeyUid"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchV1ApiKeysUidRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PatchV1ApiKeysUidRequest"];
            };
        };
        responses: {
            /** @description The updated key. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "uid": "5b1f9a3e-2c4d-4e8f-9a6b-7c0d1e2f3a4b",
                     *       "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQ0FROEFNSUlCQ2dLQ0FRRUFyWmZ4UTNYd1Y4bE1xN3RDMHBLMm9OOGpGNGdINnNEMWFCOWVSM3lUNWtMMHZXN3FaMnhZOG1QNGNKMW5HNXVBM2JUOQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K",
                     *       "scopes": "trade",
                     *       "expires_in": 86400,
                     *       "state": "inactive",
                     *       "created_at": "2024-06-10T09:13:20Z",
                     *       "updated_at": "2024-06-10T09:13:20Z"
                     *     }
                     */
                    "application/json": components["schemas"]["APIKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1Documents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The documents. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 42,
                     *         "upload": {
                     *           "url": "/api/v1/documents/42/file"
                     *         },
                     *         "doc_type": "Passport",
                     *         "doc_number": "AA1234BB",
                     *         "doc_expire": "2030-01-22"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["Document"][];
                };
            };
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1Documents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["PostV1DocumentsRequest"];
            };
        };
        responses: {
            /** @description The created document. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1DocumentsIdFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Document id.
                 * @example 42
                 */
                id: components["parameters"]["DocumentId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": Blob;
                    "image/jpeg": Blob;
                    "image/png": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1HealthAlive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getV1HealthReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1Labels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The labels. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "key": "document",
                     *         "value": "pending",
                     *         "scope": "private",
                     *         "created_at": "2024-06-10T09:13:20Z",
                     *         "updated_at": "2024-06-10T09:13:20Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["Label"][];
                };
            };
            401: components["responses"]["Unauthorized"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1Labels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1LabelsRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1LabelsRequest"];
            };
        };
        responses: {
            /** @description The created label. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "nickname",
                     *       "value": "trader_joe",
                     *       "scope": "public",
                     *       "created_at": "2024-06-10T09:13:20Z",
                     *       "updated_at": "2024-06-10T09:13:20Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1LabelsKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Label key.
                 * @example document
                 */
                key: components["parameters"]["LabelKey"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The label. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteV1LabelsKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Label key.
                 * @example document
                 */
                key: components["parameters"]["LabelKey"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; no content. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    patchV1LabelsKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Label key.
                 * @example document
                 */
                key: components["parameters"]["LabelKey"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchV1LabelsKeyRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PatchV1LabelsKeyRequest"];
            };
        };
        responses: {
            /** @description The updated label. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "nickname",
                     *       "value": "trader_jane",
                     *       "scope": "public",
                     *       "created_at": "2024-06-10T09:13:20Z",
                     *       "updated_at": "2024-06-10T09:13:20Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1Phones: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1PhonesRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1PhonesRequest"];
            };
        };
        responses: {
            /** @description Code sent. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "Code was sent successfully"
                     *     }
                     */
                    "application/json": components["schemas"]["Message"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1PhonesSendCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1PhonesSendCodeRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1PhonesSendCodeRequest"];
            };
        };
        responses: {
            /** @description Code sent. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "Code was sent successfully"
                     *     }
                     */
                    "application/json": components["schemas"]["Message"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1PhonesVerify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1PhonesVerifyRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1PhonesVerifyRequest"];
            };
        };
        responses: {
            /** @description Phone verified. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "Phone was verified successfully"
                     *     }
                     */
                    "application/json": components["schemas"]["Message"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1Profiles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1ProfilesRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1ProfilesRequest"];
            };
        };
        responses: {
            /** @description Profile created. The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getV1ProfilesMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The profile. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Profile"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityEnable2fa: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SecurityEnable2faRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SecurityEnable2faRequest"];
            };
        };
        responses: {
            /** @description 2FA enabled. The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityGenerateQrcode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new secret. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QRCode"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityRenew: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["PostV1SecurityRenewRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SecurityRenewRequest"];
            };
        };
        responses: {
            /** @description The new session JWT as a JSON string. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example eyJhbGciOiJSUzI1NiIsImtpZCI6IjNrVmJxMF9QcDdkMiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAxNDQwMCwic3ViIjoic2Vzc2lvbiIsImlzcyI6ImJhcm9uZyIsImF1ZCI6WyJwZWF0aW8iLCJiYXJvbmciXSwianRpIjoiMUE2RjNFMEM5QjJENEU3RjhBMDFCMkMzIiwidWlkIjoiSUQwOTJCMkFGOEU4IiwiZW1haWwiOiJ1c2VyQGV4YW1wbGUuY29tIiwicm9sZSI6Im1lbWJlciIsImxldmVsIjoxLCJzdGF0ZSI6ImFjdGl2ZSJ9.Xq3nJ0cRk1m8wJx2n9gq0yV6c4Z1bR5tH8pL2sD7fK3aQ9vW6eU1iO4yT0rE5wQ2zX8cV7bN3mA6sD9fG1hJ4k */
                    "application/json": components["schemas"]["SessionToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    putV1SecurityResetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutV1SecurityResetPasswordRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PutV1SecurityResetPasswordRequest"];
            };
        };
        responses: {
            /** @description Password changed. The body is the JSON literal `null`, as in Barong. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityResetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SecurityResetPasswordRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SecurityResetPasswordRequest"];
            };
        };
        responses: {
            /** @description Accepted (whether or not a mail was sent). The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityVerifyApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SecurityVerifyApiKeyRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SecurityVerifyApiKeyRequest"];
            };
        };
        responses: {
            /** @description The key's state. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyState"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SecurityVerifyCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SecurityVerifyCodeRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SecurityVerifyCodeRequest"];
            };
        };
        responses: {
            /** @description The code is valid. The body is the JSON literal `null`, as in Barong. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example null */
                    "application/json": components["schemas"]["Null"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1Sessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SessionsRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SessionsRequest"];
            };
        };
        responses: {
            /** @description The session JWT as a JSON string. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example eyJhbGciOiJSUzI1NiIsImtpZCI6IjNrVmJxMF9QcDdkMiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MTgwMDAwMDAsImV4cCI6MTcxODAxNDQwMCwic3ViIjoic2Vzc2lvbiIsImlzcyI6ImJhcm9uZyIsImF1ZCI6WyJwZWF0aW8iLCJiYXJvbmciXSwianRpIjoiMUE2RjNFMEM5QjJENEU3RjhBMDFCMkMzIiwidWlkIjoiSUQwOTJCMkFGOEU4IiwiZW1haWwiOiJ1c2VyQGV4YW1wbGUuY29tIiwicm9sZSI6Im1lbWJlciIsImxldmVsIjoxLCJzdGF0ZSI6ImFjdGl2ZSJ9.Xq3nJ0cRk1m8wJx2n9gq0yV6c4Z1bR5tH8pL2sD7fK3aQ9vW6eU1iO4yT0rE5wQ2zX8cV7bN3mA6sD9fG1hJ4k */
                    "application/json": components["schemas"]["SessionToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["UnprocessableEntity"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    postV1SessionsGenerateJwt: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PostV1SessionsGenerateJwtRequest"];
                "application/x-www-form-urlencoded": components["schemas"]["PostV1SessionsGenerateJwtRequest"];
            };
        };
        responses: {
            /** @description The API-key session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeySession"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
}
