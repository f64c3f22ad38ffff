// The requests `npm run bench:scale` sends with autocannon: refreshes of random grants of the populated
// set, each chain continued with the token its last answer rotated in, and client credentials of
// random apps.
import autocannon from 'autocannon';

/** autocannon's per-request timeout (s); an answer this late is lost, and its client retries. */
const TIMEOUT_S = 10;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * Refresh requests over the live grants of `population` (populate.js). Each request draws a grant at
 * random and presents the newest token its client holds: the populated head until a refresh answers,
 * then the token that answer carried. A grant whose answer never came (the request timed out) is
 * retried with the token it presented, as an HTTP client retries, which the server accepts within its
 * retry window (LATCHKEY_REFRESH_RETRY_WINDOW) while the lost successor is unused.
 */
export function refreshRequests(population, live) {
  const { clients, book, firstLive, appOf } = population;
  const current = new Map();
  /** grant -> { sentAt, token } of each request without an answer yet, oldest first. */
  const inFlight = new Map();
  const stats = { ok: 0, refused: 0, retries: 0 };
  const tokenOf = (grant) => current.get(grant) ?? book.token(firstLive + grant);
  const answered = (grant, status, body) => {
    if (status === 200) {
      stats.ok += 1;
      current.set(grant, JSON.parse(body).refresh_token);
    } else {
      // Refused: the token stays the client's newest, presented again when the grant comes up.
      stats.refused += 1;
    }
  };
  const draw = () => {
    const [oldest, sent] = inFlight.entries().next().value ?? [];
    if (sent && Date.now() - sent.sentAt > (TIMEOUT_S + 1) * 1000) {
      // Its answer was lost: the client retries with the token it presented.
      stats.retries += 1;
      inFlight.delete(oldest);
      return oldest;
    }
    for (;;) {
      const grant = Math.floor(Math.random() * live);
      if (!inFlight.has(grant)) return grant;
    }
  };
  return {
    stats,
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        setupRequest(req, context) {
          const grant = draw();
          const token = tokenOf(grant);
          context.grant = grant;
          inFlight.set(grant, { sentAt: Date.now(), token });
          return {
            ...req,
            headers: { ...FORM, authorization: clients[appOf[grant]].basic },
            body: `grant_type=refresh_token&refresh_token=${token}`,
          };
        },
        onResponse(status, body, context) {
          inFlight.delete(context.grant);
          answered(context.grant, status, body);
        },
      },
    ],
    /**
     * After a run: autocannon drops the requests still open when it stops, so each of their clients
     * retries at once with the token it presented, before the retry window closes.
     */
    async settle(baseUrl) {
      for (const [grant, { token }] of [...inFlight]) {
        inFlight.delete(grant);
        stats.retries += 1;
        const res = await fetch(new URL('/oauth/token', baseUrl), {
          method: 'POST',
          headers: { ...FORM, authorization: clients[appOf[grant]].basic },
          body: `grant_type=refresh_token&refresh_token=${token}`,
        });
        answered(grant, res.status, await res.text());
      }
    },
  };
}

/** Client-credentials requests, each from an app drawn at random among the populated ones. */
export function clientCredentialsRequests(population) {
  const { clients } = population;
  return {
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        setupRequest(req) {
          const client = clients[Math.floor(Math.random() * clients.length)];
          return {
            ...req,
            headers: { ...FORM, authorization: client.basic },
            body: 'grant_type=client_credentials&scope=data:read',
          };
        },
      },
    ],
  };
}

/**
 * Starts autocannon against `baseUrl` with `requests` for `durationS` seconds; the returned instance
 * is awaited for the result and can be stopped early (`stop()`).
 */
export function drive(baseUrl, requests, { durationS, connections }) {
  return autocannon({
    url: new URL('/oauth/token', baseUrl).href,
    method: 'POST',
    requests,
    connections,
    duration: durationS,
    timeout: TIMEOUT_S,
  });
}

/** The figures of one autocannon run. */
export function figures(result) {
  const answered = result['2xx'] + result.non2xx + result.errors;
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    badShare: answered === 0 ? 1 : (result.non2xx + result.errors) / answered,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([c, v]) => [c, v.count])),
    durationS: result.duration,
  };
}
