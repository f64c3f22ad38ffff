// The viewer's only script: a token from the proxy (two-legged, data:read), then the projects from the API.

const $ = (id) => document.getElementById(id);

/** The cached token; fetched again when less than 30 s of it is left. */
let token;

async function getConfig() {
  const response = await fetch('/config.json');
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  return response.json();
}

function setStep(id, state, detail) {
  $(`step-${id}`).dataset.state = state;
  $(`${id}-detail`).textContent = detail;
}

/** `{ access_token, token_type, expires_in }` from the proxy; its error answers are JSON too. */
async function getToken(config) {
  if (token && token.expiresAt - Date.now() > 30_000) return token;
  const response = await fetch(config.tokenUrl);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`The token proxy answered ${response.status} ${body.error ?? ''}`.trim());
  }
  token = {
    accessToken: body.access_token,
    expiresAt: Date.now() + body.expires_in * 1000,
    expiresIn: body.expires_in,
  };
  return token;
}

function renderProjects(projects) {
  const list = $('projects');
  list.replaceChildren(
    ...projects.map((project) => {
      const item = document.createElement('li');
      item.className = 'project';
      const mark = document.createElement('span');
      mark.className = 'project-mark';
      mark.setAttribute('aria-hidden', 'true');
      mark.textContent = project.name.slice(0, 1).toUpperCase();
      const text = document.createElement('span');
      text.className = 'project-text';
      const name = document.createElement('span');
      name.className = 'project-name';
      name.textContent = project.name;
      const meta = document.createElement('span');
      meta.className = 'project-meta';
      meta.textContent = `Created ${new Date(project.created_at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
      text.append(name, meta);
      item.append(mark, text);
      return item;
    }),
  );
  list.hidden = projects.length === 0;
  $('empty').hidden = projects.length !== 0;
}

async function load() {
  $('error').hidden = true;
  $('status').hidden = false;
  $('reload').disabled = true;
  setStep('token', 'pending', 'Asking the proxy…');
  setStep('api', 'pending', 'Waiting…');
  try {
    const config = await getConfig();
    const { accessToken, expiresIn } = await getToken(config);
    setStep('token', 'done', `data:read · expires in ${Math.round(expiresIn / 60)} min`);
    setStep('api', 'pending', 'Calling GET /api/projects…');
    const response = await fetch(`${config.apiUrl}/api/projects`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (response.status === 401) token = undefined;
      throw new Error(`The Projects API answered ${response.status} ${body.error ?? ''}`.trim());
    }
    setStep(
      'api',
      'done',
      `${body.projects.length} ${body.projects.length === 1 ? 'project' : 'projects'} owned by this app`,
    );
    $('api-detail').title = `client_id ${body.owner.client_id}`;
    renderProjects(body.projects);
  } catch (error) {
    const failed = $('step-token').dataset.state === 'done' ? 'api' : 'token';
    setStep(failed, 'failed', 'Failed');
    $('error').textContent = error instanceof Error ? error.message : String(error);
    $('error').hidden = false;
  } finally {
    $('status').hidden = true;
    $('reload').disabled = false;
  }
}

$('reload').addEventListener('click', load);
load();
