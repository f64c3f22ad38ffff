/** Reading a management request's JSON body strictly: an object of the documented members, each of its type. */
import type { FastifyRequest } from 'fastify';
import { FieldProblems } from './field-problems.js';
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
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    // Every unknown member is named, each once (at most 64 characters of it).
    const problems = new FieldProblems();
    for (const key of unknown.slice(0, 20))
      problems.add(key.slice(0, 64), `unknown member "${key.slice(0, 64)}"; allowed: ${allowed.join(', ')}`);
    problems.throwIfAny();
  }
  return value as JsonObject;
}

/**
 * A refusal of member `name`: recorded in `problems` when given (the caller goes on checking the other
 * members; the member reads as absent), else thrown.
 */
function refuse(name: string, detail: string, problems: FieldProblems | undefined): undefined {
  if (!problems) throw problem('MANAGE_INVALID_BODY', detail, { field: name });
  problems.add(name, detail);
  return undefined;
}

/** A string member, or `undefined` when absent; any other type is refused, naming the member. */
export function stringMember(body: JsonObject, name: string, problems?: FieldProblems): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return refuse(name, `${name} must be a string`, problems);
  return value;
}

/** A member that is an array of strings, or `undefined` when absent. */
export function stringsMember(
  body: JsonObject,
  name: string,
  problems?: FieldProblems,
): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string') || value.length > 50)
    return refuse(name, `${name} must be an array of at most 50 strings`, problems);
  return value as string[];
}

/** A required string member; without `problems`, refused at once. */
export function requiredString(body: JsonObject, name: string): string;
/** A required string member; refused in `problems` (then `undefined`). */
export function requiredString(body: JsonObject, name: string, problems: FieldProblems): string | undefined;
export function requiredString(body: JsonObject, name: string, problems?: FieldProblems): string | undefined {
  if (body[name] === undefined) return refuse(name, `${name} is required`, problems);
  return stringMember(body, name, problems);
}
