// HTML of the web app's pages: one escaping `html` template, a layout, the signed-out and projects pages.

const RAW = Symbol('raw');

function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Tagged template: every interpolated value is escaped unless it is itself an `html` result (or an array of them). */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return { [RAW]: out };
}

function render(value) {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && RAW in value) return value[RAW];
  return escapeHtml(value);
}

/** The final string of an `html` result. */
export function renderHtml(fragment) {
  return render(fragment);
}

const KEY_ICON = html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path d="M14.5 3a6.5 6.5 0 0 0-6.2 8.46L3 16.76V21h4.24v-2.12h2.12v-2.12h2.12l1.06-1.06A6.5 6.5 0 1 0 14.5 3Zm1.75 6.25a1.75 1.75 0 1 1 0-3.5 1.75 1.75 0 0 1 0 3.5Z" fill="currentColor"/>
</svg>`;

function layout({ title, csrf, signedIn, body }) {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · Blueprint</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <header class="topbar">
    <div class="topbar-inner">
      <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">B</span> Blueprint</a>
      ${
        signedIn
          ? html`<form method="post" action="/logout" class="inline">
        <input type="hidden" name="csrf" value="${csrf}">
        <button type="submit" class="button ghost">Sign out</button>
      </form>`
          : html`<span class="tag">Demo third-party app</span>`
      }
    </div>
  </header>
  <main class="page">
${body}
  </main>
  <footer class="footer">Blueprint is an example app: it signs you in with Latchkey (authorization code + PKCE through <code>@latchkey/client</code>) and calls the Projects API on your behalf.</footer>
</body>
</html>`;
}

function flash(message) {
  if (!message) return '';
  return html`<div class="alert ${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</div>`;
}

/** The signed-out landing page with the Sign in with Latchkey button. */
export function homePage({ csrf, message }) {
  return layout({
    title: 'Welcome',
    csrf,
    signedIn: false,
    body: html`
    <section class="hero card">
      <p class="eyebrow">Project planning for busy teams</p>
      <h1>Your projects, one click away</h1>
      <p class="lead">Blueprint keeps track of your projects in the Projects API. Sign in with your Latchkey account and allow Blueprint to read and create projects for you. Blueprint never sees your password.</p>
      ${flash(message)}
      <form method="post" action="/login">
        <input type="hidden" name="csrf" value="${csrf}">
        <button type="submit" class="button primary large">${KEY_ICON} Sign in with Latchkey</button>
      </form>
      <ul class="facts">
        <li><strong>Three-legged OAuth 2.0</strong> authorization code with PKCE and state</li>
        <li><strong>Tokens stay on the server</strong> in a session behind an HttpOnly cookie</li>
        <li><strong>Scopes</strong> <code>data:read</code> and <code>data:write</code></li>
      </ul>
    </section>`,
  });
}

function relative(expiresAt) {
  const minutes = Math.max(0, Math.round((expiresAt - Date.now()) / 60_000));
  return minutes >= 1 ? `in ${minutes} min` : 'in under a minute';
}

function date(iso) {
  return new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The signed-in page: the user's projects, a form to create one, and what the token allows. */
export function projectsPage({ csrf, message, projects, owner, user, token, apiError }) {
  const list =
    projects.length === 0
      ? html`<div class="empty"><p class="empty-title">No projects yet</p><p>Create your first project with the form above.</p></div>`
      : html`<ul class="projects" aria-label="Projects">
          ${projects.map(
            (p) => html`<li class="project">
            <span class="project-mark" aria-hidden="true">${p.name.slice(0, 1).toUpperCase()}</span>
            <span class="project-text"><span class="project-name">${p.name}</span>
            <span class="project-meta">Created ${date(p.created_at)}</span></span>
          </li>`,
          )}
        </ul>`;
  return layout({
    title: 'Your projects',
    csrf,
    signedIn: true,
    body: html`
    <div class="grid">
      <section class="card">
        <div class="card-head">
          <h1>${user?.name ? `${user.name}’s projects` : 'Your projects'}</h1>
          <span class="count">${projects.length} ${projects.length === 1 ? 'project' : 'projects'}</span>
        </div>
        ${flash(message)}
        ${apiError ? html`<div class="alert error" role="alert">${apiError}</div>` : ''}
        <form method="post" action="/projects" class="create">
          <input type="hidden" name="csrf" value="${csrf}">
          <label for="name" class="visually-hidden">Project name</label>
          <input id="name" name="name" type="text" required maxlength="100" placeholder="New project name" autocomplete="off">
          <button type="submit" class="button primary">Create project</button>
        </form>
        ${list}
      </section>
      <aside class="card side">
        <h2>Connected with Latchkey</h2>
        <dl>
          ${user?.name ? html`<dt>Signed in as</dt><dd>${user.name}</dd>` : ''}
          <dt>User</dt><dd><code>${user?.sub ?? owner?.sub ?? 'unknown'}</code></dd>
          ${
            token
              ? html`<dt>Scopes granted</dt><dd>${token.scope.map((s) => html`<span class="pill">${s}</span>`)}</dd>
          <dt>Access token</dt><dd>expires ${relative(token.expiresAt)}</dd>
          <dt>Refresh token</dt><dd>${token.hasRefreshToken ? 'kept on the server, rotated on use' : 'none'}</dd>`
              : html`<dt>Tokens</dt><dd>Latchkey cannot be reached right now</dd>`
          }
        </dl>
        <p class="hint">Blueprint calls <code>GET</code> and <code>POST /api/projects</code> with <code>authFetch</code>, which adds the Bearer token and renews it when it expires.</p>
      </aside>
    </div>`,
  });
}

/** A page for a failed sign-in or an unexpected error. */
export function errorPage({ csrf, title, text }) {
  return layout({
    title,
    csrf,
    signedIn: false,
    body: html`
    <section class="hero card">
      <h1>${title}</h1>
      <div class="alert error" role="alert">${text}</div>
      <p><a class="button ghost" href="/">Back to Blueprint</a></p>
    </section>`,
  });
}
