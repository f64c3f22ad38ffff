/** Reading a management request's JSON body strictly: an object of the documented members, each of its type. */
import type { FastifyRequest } from 'fastify';
import { problem } from './problems.js';

/** A JSON object body. */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * The body as a JSON object whose members are all among `allowed` (an unknown member is refused, not
 * ignored: a typo must not pass silently). RFC 8259 JSON with `Content-Type: application/json`.
 */
export function readJsonBody(request: FastifyRequest, allowed: readonly string[]): JsonObject {
  const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw problem('MANAGE_INVALID_BODY', 'send the body as application/json');
  let value: unknown;
  try {
    value = JSON.parse(String(request.body ?? ''));
  } catch {
    throw problem('MANAGE_INVALID_BODY', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw problem('MANAGE_INVALID_BODY', 'the body must be a JSON object');
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined)
    throw problem(
      'MANAGE_INVALID_BODY',
      `unknown member "${unknown.slice(0, 64)}"; allowed: ${allowed.join(', ')}`,
      {
        field: unknown.slice(0, 64),
      },
    );
  return value as JsonObject;
}

/** A string member, or `undefined` when absent; any other type is a problem naming the member. */
export function stringMember(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw problem('MANAGE_INVALID_BODY', `${name} must be a string`, { field: name });
  return value;
}

/** A member that is an array of strings, or `undefined` when absent. */
export function stringsMember(body: JsonObject, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string') || value.length > 50)
    throw problem('MANAGE_INVALID_BODY', `${name} must be an array of at most 50 strings`, { field: name });
  return value as string[];
}

/** A required string member. */
export function requiredString(body: JsonObject, name: string): string {
  const value = stringMember(body, name);
  if (value === undefined) throw problem('MANAGE_INVALID_BODY', `${name} is required`, { field: name });
  return value;
}
