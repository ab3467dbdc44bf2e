// The KYC console: a client of the admin API (/api/v1/admin/...), in plain modern JavaScript.
// The session JWT lives only in this module's memory (never in localStorage or a cookie): a reload
// or a closed tab signs the officer out. Every text from the API is set as textContent, never HTML.

const API = '/api/v1';
const state = { token: null, me: null, config: null, blobUrls: [] };
const main = document.getElementById('main');

// ---------- DOM helpers ----------

/** h('button', { class: 'x', onclick }, 'text', child) → element; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function render(...nodes) {
  for (const url of state.blobUrls.splice(0)) URL.revokeObjectURL(url);
  main.replaceChildren(...nodes);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

let toastTimer;
function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const formatTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');

function waitingFor(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

function reviewPill(value) {
  if (value === 'verified') return h('span', { class: 'pill ok' }, 'Approved');
  if (value === 'rejected') return h('span', { class: 'pill bad' }, 'Rejected');
  if (value === 'pending') return h('span', { class: 'pill warn' }, 'Waiting for review');
  return h('span', { class: 'pill' }, 'No documents');
}

const fullName = (profile) => (profile ? `${profile.first_name} ${profile.last_name}` : null);
const isAdmin = () => state.me?.role === 'admin';

// ---------- API ----------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && state.token) {
    signOut('Your session has ended. Please sign in again.');
    throw new ApiError(401, 'Signed out');
  }
  if (!response.ok) {
    const error = data?.error;
    throw new ApiError(response.status, Array.isArray(error) ? error.join(', ') : error || `HTTP ${response.status}`);
  }
  return { data, headers: response.headers };
}

/** A document file fetched with the bearer token, as a blob: URL revoked when the page changes. */
async function fileUrl(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  state.blobUrls.push(url);
  return url;
}

// ---------- sign-in ----------

function signOut(message) {
  state.token = null;
  state.me = null;
  document.getElementById('topbar').hidden = true;
  location.hash = '#/signin';
  showSignIn(message);
}

function showSignIn(message) {
  document.getElementById('topbar').hidden = true;
  const error = h('div', { class: 'alert', role: 'alert', id: 'signin-error' }, message || '');
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const code = h('input', {
    id: 'otp', name: 'otp_code', class: 'code-input', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', required: true, placeholder: '123456',
  });
  const submit = h('button', { class: 'button', type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin-card', 'aria-labelledby': 'signin-title', novalidate: true },
    h('h1', { id: 'signin-title' }, `${state.config?.app_name ?? 'Barong'} KYC Console`),
    h('p', { class: 'subtitle' }, 'For compliance officers and administrators. Two-factor authentication is required.'),
    error,
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    h('div', { class: 'field' }, h('label', { for: 'otp' }, 'Authenticator code'), code),
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!email.value || !password.value || !/^\d{6}$/.test(code.value.trim())) {
      error.textContent = 'Enter your email, password and the 6-digit code from your authenticator app.';
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await signIn(email.value.trim(), password.value, code.value.trim());
      password.value = '';
      location.hash = '#/queue';
      route();
    } catch (e) {
      state.token = null;
      error.textContent = e.message;
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  main.replaceChildren(h('div', { class: 'signin' }, form));
  main.classList.add('bare');
  email.focus();
}

async function signIn(email, password, otpCode) {
  if (!state.config.application_id) throw new Error('The server has no application to sign in to.');
  const { data: token } = await api('POST', '/sessions', {
    email, password, otp_code: otpCode, application_id: state.config.application_id,
  });
  state.token = token;
  const { data: me } = await api('GET', '/accounts/me');
  if (me.role !== 'admin' && me.role !== 'compliance') {
    state.token = null;
    throw new Error('This account is not a compliance officer or an administrator.');
  }
  if (!me.otp_enabled) {
    state.token = null;
    throw new Error('Turn on two-factor authentication for this account before using the console.');
  }
  state.me = me;
  refreshQueueCount().catch(() => {});
  document.getElementById('who-email').textContent = me.email;
  document.getElementById('who-role').textContent = me.role;
  document.getElementById('topbar').hidden = false;
  main.classList.remove('bare');
}

// ---------- review queue ----------

function showQueueCount(total) {
  document.getElementById('queue-count').textContent = total ? String(total) : '';
}

async function refreshQueueCount() {
  const { headers } = await api('GET', '/admin/reviews?limit=1');
  showQueueCount(Number(headers.get('x-total-count') ?? 0));
}

const PAGE = 20;

async function showQueue(offset = 0) {
  const { data: reviews, headers } = await api('GET', `/admin/reviews?limit=${PAGE}&offset=${offset}`);
  const total = Number(headers.get('x-total-count') ?? reviews.length);
  showQueueCount(total);
  const head = h('div', { class: 'page-head' },
    h('div', {}, h('h1', {}, 'Review queue'),
      h('p', { class: 'subtitle' }, total === 1 ? '1 account is waiting for a review, oldest first.' : `${total} accounts are waiting for a review, oldest first.`)),
    h('button', { class: 'button secondary', type: 'button', onclick: () => showQueue(offset) }, 'Refresh'));
  if (reviews.length === 0) {
    render(head, h('div', { class: 'panel empty' }, h('strong', {}, 'All caught up'), 'No account is waiting for a review.'));
    return;
  }
  const rows = reviews.map((review) => {
    const { account, profile, phones, documents } = review;
    const phone = phones.length === 0 ? h('span', { class: 'muted' }, 'None')
      : phones.some((p) => p.validated_at) ? h('span', { class: 'pill ok' }, 'Verified') : h('span', { class: 'pill' }, 'Not verified');
    return h('tr', {},
      h('td', { class: 'primary-cell' }, h('strong', {}, fullName(profile) ?? 'No profile yet'), h('span', { class: 'muted small' }, account.email)),
      h('td', {}, profile?.country ?? '—'),
      h('td', {}, documents.map((d) => d.doc_type).join(', ')),
      h('td', {}, phone),
      h('td', {}, `Level ${account.level}`),
      h('td', { title: formatTime(review.submitted_at) }, waitingFor(review.submitted_at)),
      h('td', {}, h('a', { class: 'button small', href: `#/accounts/${encodeURIComponent(account.uid)}`, 'aria-label': `Review ${account.email}` }, 'Review')),
    );
  });
  const pager = h('div', { class: 'pager' },
    h('span', { class: 'muted small' }, `${offset + 1}–${offset + reviews.length} of ${total}`),
    h('div', { class: 'actions' },
      h('button', { class: 'button secondary small', type: 'button', disabled: offset === 0, onclick: () => showQueue(Math.max(0, offset - PAGE)) }, 'Previous'),
      h('button', { class: 'button secondary small', type: 'button', disabled: offset + reviews.length >= total, onclick: () => showQueue(offset + PAGE) }, 'Next')));
  render(head, h('div', { class: 'panel table-panel' },
    h('table', { 'aria-label': 'Accounts waiting for review' },
      h('thead', {}, h('tr', {}, ['Applicant', 'Country', 'Documents', 'Phone', 'Level', 'Waiting', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)),
    pager));
}

// ---------- accounts ----------

async function showAccounts(email) {
  const query = email ? `?email=${encodeURIComponent(email)}&limit=50` : '?limit=50';
  const { data: accounts } = await api('GET', `/admin/accounts${query}`);
  const input = h('input', { id: 'account-email', type: 'search', value: email ?? '', placeholder: 'name@example.com' });
  const form = h('form', { class: 'inline-form', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'account-email' }, 'Find by email'), input),
    h('button', { class: 'button', type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showAccounts(input.value.trim() || undefined).catch(showError);
  });
  const rows = accounts.map((a) => h('tr', {},
    h('td', { class: 'primary-cell' }, h('strong', {}, a.email), h('span', { class: 'mono muted' }, a.uid)),
    h('td', { class: 'role-cell' }, a.role),
    h('td', {}, `Level ${a.level}`),
    h('td', {}, a.state),
    h('td', {}, a.otp_enabled ? h('span', { class: 'pill ok' }, '2FA on') : h('span', { class: 'pill' }, '2FA off')),
    h('td', {}, formatTime(a.created_at)),
    h('td', {}, h('a', { class: 'button small secondary', href: `#/accounts/${encodeURIComponent(a.uid)}` }, 'Open'))));
  render(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Accounts'), h('p', { class: 'subtitle' }, email ? `Accounts with the email ${email}.` : 'The first 50 accounts, oldest first. Search by email to find one.'))),
    h('div', { class: 'panel' }, form),
    h('div', { class: 'panel table-panel' }, accounts.length === 0 ? h('div', { class: 'empty' }, h('strong', {}, 'No account found')) :
      h('table', { 'aria-label': 'Accounts' },
        h('thead', {}, h('tr', {}, ['Account', 'Role', 'Level', 'State', '2FA', 'Signed up', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows))));
}

async function showAccount(uid) {
  const [{ data: account }, { data: history }] = await Promise.all([
    api('GET', `/admin/accounts/${encodeURIComponent(uid)}`),
    api('GET', `/admin/audit?account_uid=${encodeURIComponent(uid)}&limit=20`),
  ]);
  const documentLabel = account.labels.find((l) => l.key === 'document' && l.scope === 'private')?.value;
  const reload = () => showAccount(uid).catch(showError);

  render(
    h('div', { class: 'account-head' },
      h('div', {},
        h('p', { class: 'small muted' }, h('a', { href: '#/queue' }, '← Review queue')),
        h('h1', {}, fullName(account.profile) ?? account.email),
        h('p', { class: 'subtitle' }, account.email, ' · ', h('span', { class: 'mono' }, account.uid))),
      h('div', { class: 'actions' }, reviewPill(documentLabel), h('span', { class: 'pill', id: 'account-level' }, `Level ${account.level}`))),
    h('div', { class: 'grid' },
      h('div', { class: 'stack' }, documentsPanel(account), historyPanel(history)),
      h('div', { class: 'stack' },
        decisionPanel(account, documentLabel, reload),
        profilePanel(account),
        phonesPanel(account),
        labelsPanel(account, reload),
        accountPanel(account, reload))),
  );
}

function documentsPanel(account) {
  if (account.documents.length === 0) {
    return h('section', { class: 'panel', 'aria-labelledby': 'docs-title' }, h('h2', { id: 'docs-title' }, 'Documents'), h('p', { class: 'muted' }, 'No document uploaded.'));
  }
  const cards = [...account.documents].reverse().map((doc) => {
    const view = h('div', { class: 'document-view' }, h('div', { class: 'placeholder' }, 'Loading…'));
    const actions = h('div', { class: 'actions' });
    const isImage = doc.content_type.startsWith('image/');
    fileUrl(doc.upload.url).then((url) => {
      if (isImage) {
        view.replaceChildren(h('img', { src: url, alt: `${doc.doc_type} ${doc.doc_number}`, class: 'document-image' }));
        actions.append(h('a', { class: 'button secondary small', href: url, target: '_blank', rel: 'noopener' }, 'Open full size'));
      } else {
        view.replaceChildren(h('div', { class: 'placeholder' }, h('div', {}, 'PDF document'), h('div', { class: 'small' }, `${Math.ceil(doc.byte_size / 1024)} KB`)));
        actions.append(
          h('a', { class: 'button secondary small', href: url, target: '_blank', rel: 'noopener' }, 'Open PDF'),
          h('a', { class: 'button secondary small', href: url, download: `document-${doc.id}.pdf` }, 'Download'));
      }
    }).catch(() => view.replaceChildren(h('div', { class: 'placeholder' }, 'The file could not be loaded.')));
    return h('article', { class: 'document', 'aria-label': `${doc.doc_type} ${doc.doc_number}` }, view,
      h('div', { class: 'document-body' },
        h('strong', {}, doc.doc_type),
        h('dl', { class: 'facts small' },
          h('dt', {}, 'Number'), h('dd', { class: 'mono' }, doc.doc_number),
          h('dt', {}, 'Expires'), h('dd', {}, doc.doc_expire),
          h('dt', {}, 'Uploaded'), h('dd', {}, formatTime(doc.created_at))),
        actions));
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'docs-title' },
    h('h2', { id: 'docs-title' }, `Documents (${account.documents.length}), newest first`), h('div', { class: 'documents' }, cards));
}

function decisionPanel(account, documentLabel, reload) {
  const decided = documentLabel === 'verified' || documentLabel === 'rejected';
  const error = h('div', { class: 'alert', role: 'alert' });
  const reason = h('textarea', { id: 'reason', name: 'reason', maxlength: '1000', placeholder: 'Shown to the user in the rejection email, e.g. "The passport photo is blurred."' });
  const reReview = h('input', { type: 'checkbox', id: 're-review' });
  const approve = h('button', { class: 'button approve', type: 'button', id: 'approve' }, 'Approve');
  const reject = h('button', { class: 'button reject', type: 'button', id: 'reject' }, 'Reject');

  async function send(decision) {
    error.textContent = '';
    if (decision === 'reject' && !reason.value.trim()) {
      error.textContent = 'Give the reason for the rejection: the user receives it by email.';
      reason.focus();
      return;
    }
    approve.disabled = reject.disabled = true;
    try {
      const body = { decision, ...(decision === 'reject' ? { reason: reason.value.trim() } : {}), ...(reReview.checked ? { re_review: true } : {}) };
      await api('POST', `/admin/reviews/${encodeURIComponent(account.uid)}`, body);
      toast(decision === 'approve' ? `Approved ${account.email}.` : `Rejected ${account.email}; the user was emailed the reason.`);
      await Promise.all([reload(), refreshQueueCount()]);
    } catch (e) {
      error.textContent = e.status === 409 ? 'This review was already decided meanwhile. Reload the account to see the decision.' : e.message;
      approve.disabled = reject.disabled = false;
    }
  }
  approve.addEventListener('click', () => send('approve'));
  reject.addEventListener('click', () => send('reject'));
  // A decided review is decided again only on purpose.
  const lock = () => { approve.disabled = reject.disabled = reason.disabled = decided && !reReview.checked; };
  reReview.addEventListener('change', lock);
  lock();

  if (account.documents.length === 0) {
    return h('section', { class: 'panel decision', 'aria-labelledby': 'decision-title' }, h('h2', { id: 'decision-title' }, 'Decision'), h('p', { class: 'muted' }, 'Nothing to review: the account has no documents.'));
  }
  return h('section', { class: 'panel decision', 'aria-labelledby': 'decision-title' },
    h('h2', { id: 'decision-title' }, 'Decision'),
    h('div', { class: 'status-line' }, 'Status:', reviewPill(documentLabel)),
    error,
    h('div', { class: 'field' }, h('label', { for: 'reason' }, 'Reason for a rejection'), reason),
    decided ? h('div', { class: 'field' }, h('label', { class: 'checkbox', for: 're-review' }, reReview, 'Re-review: change a decision already made')) : null,
    h('div', { class: 'actions' }, approve, reject));
}

function profilePanel(account) {
  const p = account.profile;
  return h('section', { class: 'panel', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Profile'),
    p ? h('dl', { class: 'facts' },
      h('dt', {}, 'Name'), h('dd', {}, `${p.first_name} ${p.last_name}`),
      h('dt', {}, 'Born'), h('dd', {}, p.dob),
      h('dt', {}, 'Address'), h('dd', {}, p.address),
      h('dt', {}, 'City'), h('dd', {}, `${p.postcode} ${p.city}`),
      h('dt', {}, 'Country'), h('dd', {}, p.country)) : h('p', { class: 'muted' }, 'No profile yet.'));
}

function phonesPanel(account) {
  return h('section', { class: 'panel', 'aria-labelledby': 'phones-title' },
    h('h2', { id: 'phones-title' }, 'Phones'),
    account.phones.length === 0 ? h('p', { class: 'muted' }, 'No phone number.') :
      h('ul', { class: 'facts-list' }, account.phones.map((p) => h('li', {}, h('span', { class: 'mono' }, `+${p.number}`), ' ', p.country, ' ',
        p.validated_at ? h('span', { class: 'pill ok' }, 'Verified') : h('span', { class: 'pill' }, 'Not verified')))));
}

function labelsPanel(account, reload) {
  const rows = account.labels.map((l) => h('tr', {},
    h('td', { class: 'mono' }, l.key), h('td', {}, l.value), h('td', { class: 'muted small' }, l.scope),
    h('td', {}, isAdmin() && l.scope === 'private'
      ? h('button', { class: 'button secondary small', type: 'button', 'aria-label': `Delete label ${l.key}`, onclick: async () => {
        if (!confirm(`Delete the private label "${l.key}"? The level is recomputed.`)) return;
        try {
          await api('DELETE', `/admin/accounts/${encodeURIComponent(account.uid)}/labels/${encodeURIComponent(l.key)}`);
          toast(`Deleted label ${l.key}.`);
          await reload();
        } catch (e) { toast(e.message); }
      } }, 'Delete') : null)));
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'labels-title' },
    h('h2', { id: 'labels-title' }, 'Labels'),
    h('table', { 'aria-label': 'Labels' }, h('thead', {}, h('tr', {}, ['Key', 'Value', 'Scope', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)));
  if (isAdmin()) {
    const error = h('div', { class: 'alert', role: 'alert' });
    const key = h('input', { id: 'label-key', required: true, placeholder: 'phone' });
    const value = h('input', { id: 'label-value', required: true, placeholder: 'verified' });
    const form = h('form', { class: 'inline-form', 'aria-label': 'Set a private label' },
      h('div', { class: 'field' }, h('label', { for: 'label-key' }, 'Key'), key),
      h('div', { class: 'field' }, h('label', { for: 'label-value' }, 'Value'), value),
      h('button', { class: 'button secondary', type: 'submit' }, 'Set label'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      try {
        await api('PUT', `/admin/accounts/${encodeURIComponent(account.uid)}/labels/${encodeURIComponent(key.value.trim())}`, { value: value.value.trim() });
        toast(`Set ${key.value.trim()} = ${value.value.trim()}.`);
        await reload();
      } catch (e) { error.textContent = e.message; }
    });
    panel.append(error, form);
  }
  return panel;
}

function accountPanel(account, reload) {
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'Role'), h('dd', { id: 'account-role' }, account.role),
    h('dt', {}, 'State'), h('dd', {}, account.state),
    h('dt', {}, '2FA'), h('dd', {}, account.otp_enabled ? 'On' : 'Off'),
    h('dt', {}, 'Signed up'), h('dd', {}, formatTime(account.created_at)));
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'account-title' }, h('h2', { id: 'account-title' }, 'Account'), facts);
  if (!isAdmin()) return panel;
  const error = h('div', { class: 'alert', role: 'alert' });
  const select = h('select', { id: 'role-select' }, ['member', 'compliance', 'admin'].map((r) => h('option', { value: r, selected: r === account.role }, r)));
  const form = h('form', { class: 'inline-form', 'aria-label': 'Change the role' },
    h('div', { class: 'field' }, h('label', { for: 'role-select' }, 'Role'), select),
    h('button', { class: 'button secondary', type: 'submit' }, 'Change role'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await api('PUT', `/admin/accounts/${encodeURIComponent(account.uid)}/role`, { role: select.value });
      toast(`Role set to ${select.value}.`);
      await reload();
    } catch (e) { error.textContent = e.message; }
  });
  const actions = h('div', { class: 'actions' });
  if (account.otp_enabled) {
    actions.append(h('button', { class: 'button secondary', type: 'button', onclick: async () => {
      if (!confirm(`Turn off 2FA for ${account.email}? Do this only for a user who lost the device.`)) return;
      try {
        await api('DELETE', `/admin/accounts/${encodeURIComponent(account.uid)}/otp`);
        toast('2FA turned off.');
        await reload();
      } catch (e) { error.textContent = e.message; }
    } }, 'Turn off 2FA'));
  }
  panel.append(h('hr', { class: 'sep' }), error, form, actions);
  return panel;
}

function historyPanel(records) {
  return h('section', { class: 'panel', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    records.length === 0 ? h('p', { class: 'muted' }, 'No operator action on this account yet.') : auditTable(records, false));
}

// ---------- audit trail ----------

const ACTIONS = ['review.approve', 'review.reject', 'label.set', 'label.delete', 'role.change', 'otp.disable', 'application.create'];

function describeChange(record) {
  const after = record.after ?? {};
  const before = record.before ?? {};
  switch (record.action) {
    case 'review.approve': return 'Approved the documents';
    case 'review.reject': return `Rejected: ${after.reason ?? ''}`;
    case 'label.set': return `${after.key}: ${before.value ?? '—'} → ${after.value}`;
    case 'label.delete': return `Deleted ${before.key} (${before.value})`;
    case 'role.change': return `Role ${before.role} → ${after.role}`;
    case 'otp.disable': return '2FA turned off';
    case 'application.create': return `Application ${after.name} (${after.uid})`;
    default: return JSON.stringify(after);
  }
}

function auditTable(records, withAccount) {
  return h('table', { 'aria-label': 'Audit records' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', ...(withAccount ? ['Account'] : []), 'Change', 'Source'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, records.map((r) => h('tr', {},
      h('td', { class: 'small' }, formatTime(r.created_at)),
      h('td', { class: 'mono' }, r.actor),
      h('td', {}, h('span', { class: `pill ${r.action === 'review.approve' ? 'ok' : r.action === 'review.reject' ? 'bad' : ''}` }, r.action)),
      ...(withAccount ? [h('td', {}, r.account_uid ? h('a', { class: 'mono', href: `#/accounts/${encodeURIComponent(r.account_uid)}` }, r.account_uid) : '—')] : []),
      h('td', {}, describeChange(r)),
      h('td', { class: 'small muted' }, r.source_ip ?? '—', h('br'), h('span', { class: 'mono', title: 'Request id' }, r.request_id ?? ''))))));
}

async function showAudit(filter = {}) {
  const params = new URLSearchParams({ limit: '100' });
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  const { data: records } = await api('GET', `/admin/audit?${params}`);
  const account = h('input', { id: 'audit-account', value: filter.account_uid ?? '', placeholder: 'ID…' });
  const actor = h('input', { id: 'audit-actor', value: filter.actor ?? '', placeholder: 'account uid or "operator token"' });
  const action = h('select', { id: 'audit-action' }, h('option', { value: '' }, 'All actions'), ACTIONS.map((a) => h('option', { value: a, selected: a === filter.action }, a)));
  const form = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Filter the audit trail' },
    h('div', { class: 'field' }, h('label', { for: 'audit-account' }, 'Account'), account),
    h('div', { class: 'field' }, h('label', { for: 'audit-actor' }, 'Actor'), actor),
    h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'Action'), action),
    h('button', { class: 'button', type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showAudit({ account_uid: account.value.trim(), actor: actor.value.trim(), action: action.value }).catch(showError);
  });
  render(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Audit trail'), h('p', { class: 'subtitle' }, 'Every operator action, newest first. Records cannot be changed or deleted.'))),
    h('div', { class: 'panel' }, form),
    h('div', { class: 'panel table-panel' }, records.length === 0 ? h('div', { class: 'empty' }, h('strong', {}, 'No records')) : auditTable(records, true)));
}

// ---------- routing ----------

function showError(error) {
  if (error instanceof ApiError && error.status === 401) return;
  render(h('div', { class: 'panel' }, h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, error.message)));
}

function markNav(section) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function route() {
  if (!state.token) return showSignIn();
  const [, section, id] = location.hash.replace(/^#/, '').split('/');
  markNav(section === 'accounts' && id ? 'accounts' : section);
  try {
    if (section === 'accounts' && id) await showAccount(decodeURIComponent(id));
    else if (section === 'accounts') await showAccounts();
    else if (section === 'audit') await showAudit();
    else {
      markNav('queue');
      await showQueue();
    }
  } catch (error) {
    showError(error);
  }
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', () => signOut('You are signed out.'));
  window.addEventListener('hashchange', route);
  try {
    state.config = await (await fetch('config.json')).json();
  } catch {
    state.config = { application_id: null, app_name: 'Barong' };
  }
  document.getElementById('brand-name').textContent = `${state.config.app_name} KYC Console`;
  route();
}

start();
