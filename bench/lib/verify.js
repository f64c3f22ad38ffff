// Checks, before timing, that a target really answers its request with 200 and a JWT access token.

/** Sends the target's request once with fetch and returns the parsed JSON body. */
export async function sendOnce(baseUrl, request) {
  const res = await fetch(new URL(request.path, baseUrl), {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, text };
}

function decodeSegment(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/**
 * Verifies the token response: HTTP 200, JSON with `access_token`, and (when `expectJwt`) a JWT whose
 * header names an algorithm. Throws with the response when anything is off. Returns a short summary.
 */
export async function verifyTokenResponse(baseUrl, request, { expectJwt }) {
  const first = await sendOnce(baseUrl, request);
  if (first.status !== 200)
    throw new Error(`expected HTTP 200, got ${first.status}: ${first.text.slice(0, 300)}`);
  let body;
  try {
    body = JSON.parse(first.text);
  } catch {
    throw new Error(`response is not JSON: ${first.text.slice(0, 300)}`);
  }
  if (typeof body.access_token !== 'string')
    throw new Error(`no access_token in ${first.text.slice(0, 300)}`);
  if (!expectJwt) return { jwt: false };

  const parts = body.access_token.split('.');
  if (parts.length !== 3) throw new Error(`access_token is not a JWT: ${body.access_token.slice(0, 60)}`);
  let header;
  let claims;
  try {
    header = decodeSegment(parts[0]);
    claims = decodeSegment(parts[1]);
  } catch {
    throw new Error('access_token has an undecodable JWT header or payload');
  }
  if (typeof header.alg !== 'string' || header.alg === 'none') throw new Error(`bad JWT alg ${header.alg}`);

  // A second token must differ (fresh signature per request, no caching).
  const second = await sendOnce(baseUrl, request);
  const secondToken = second.status === 200 ? JSON.parse(second.text).access_token : undefined;
  return {
    jwt: true,
    alg: header.alg,
    typ: header.typ,
    scope: claims.scope,
    fresh: secondToken !== undefined && secondToken !== body.access_token,
  };
}
