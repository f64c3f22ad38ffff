/** Small builders of the OpenAPI document's parts (manage/openapi.ts and the files it gathers). */

/** A reference to a schema of the document's components. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON content map of `schema`. */
export const json = (schema: object) => ({ 'application/json': { schema } });

/** An answer with a JSON body of `schema`. */
export const ok = (description: string, schema: object) => ({ description, content: json(schema) });

/** RFC 9457 problem answers for each status. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: 'RFC 9457 problem details',
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
