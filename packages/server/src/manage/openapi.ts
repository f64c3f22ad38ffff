/**
 * The OpenAPI 3.1 description of the management API, served at `/manage/v1/openapi.json`.
 * test/manage-api-openapi.test.ts validates it and checks it against the routes both ways.
 */
import { MAX_LOGOUT_URI, MAX_POST_LOGOUT_REDIRECT_URIS } from '../logout/registration.js';
import { MAX_DESCRIPTION, MAX_HOMEPAGE_URL } from '../oauth/app-registration.js';
import { APP_TYPES } from '../oauth/app-types.js';
import { GRACE_CHOICES } from './app-actions.js';
import { activityPaths, activitySchemas } from './openapi-activity.js';
import { json, ok, problems, ref } from './openapi-parts.js';

/** Path of the document, under the management prefix. */
export const OPENAPI_PATH = '/openapi.json';

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'client_id',
};
/** Every route may answer these: not signed in, no such app (or not yours), database down. */
const common = problems(401, 404, 503);
const changing = problems(400, 401, 403, 404, 503);

/** The document; `issuer` is the server's base URL. */
export function openApiDocument(issuer: string) {
  const iso = { type: 'string', format: 'date-time' };
  /** The app's profile, as the portal's form and the consent page show it. */
  const profile = {
    description: {
      type: 'string',
      maxLength: MAX_DESCRIPTION,
      description: 'what the app does; an empty string removes it',
    },
    homepage_url: {
      type: 'string',
      maxLength: MAX_HOMEPAGE_URL,
      description: 'an absolute https URL (http only for localhost); an empty string removes it',
    },
  };
  /** Its logout registration (RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2). */
  const logout = {
    post_logout_redirect_uris: {
      type: 'array',
      maxItems: MAX_POST_LOGOUT_REDIRECT_URIS,
      items: { type: 'string', maxLength: MAX_LOGOUT_URI },
      description:
        'where RP-Initiated Logout may send the browser back to (post_logout_redirect_uri, exact match); checked like redirect_uris; only for an app that signs users in',
    },
    backchannel_logout_uri: {
      type: 'string',
      maxLength: MAX_LOGOUT_URI,
      description:
        'where Back-Channel Logout posts logout tokens: https (http only for loopback), no fragment; not a private or loopback address unless the server allows private networks (LATCHKEY_BACKCHANNEL_PRIVATE_NETWORKS); an empty string removes it',
    },
  };
  /** OpenID Connect registration (OIDC Dynamic Client Registration 1.0 §2). */
  const openid = {
    subject_type: {
      enum: ['public', 'pairwise'],
      description:
        "OIDC Core §8: public (one sub per user) or pairwise (a sub per user for this app's sector, the one host its redirect URIs must name); default public",
    },
    id_token_signed_response_alg: {
      enum: ['RS256', 'ES256', 'EdDSA'],
      description: 'the algorithm of its ID tokens; default RS256',
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey management API',
      version: '1',
      description:
        'Manage the apps you develop: what the developer portal does. Authenticate with the portal session (changes need its X-CSRF-Token header) or with a bearer access token that has the manage scope, issued to a three-legged app and acting as its user. Apps you may not see answer 404.',
    },
    servers: [{ url: new URL('/manage/v1', issuer).toString() }],
    security: [{ bearer: [] }, { session: [], csrf: [] }],
    paths: {
      '/apps': {
        get: {
          summary: 'Your apps (every app, for an admin)',
          responses: {
            200: ok('The apps', {
              type: 'object',
              required: ['apps'],
              properties: { apps: { type: 'array', items: ref('App') } },
            }),
            ...common,
          },
        },
        post: {
          summary: 'Create an app; the answer carries its secret, shown once',
          requestBody: { required: true, content: json(ref('NewApp')) },
          responses: { 201: ok('Created', ref('CreatedApp')), ...changing },
        },
      },
      '/apps/{id}': {
        parameters: [idParam],
        get: { summary: 'One app', responses: { 200: ok('The app', ref('App')), ...common } },
        patch: {
          summary:
            'Change its name, description, homepage, scope, subject type, ID-token algorithm (owner, admin), redirect URIs or logout URIs (collaborators too)',
          requestBody: { required: true, content: json(ref('AppChanges')) },
          responses: { 200: ok('The app as changed', ref('App')), ...changing },
        },
        delete: {
          summary: 'Delete the app (owner, admin)',
          responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 503) },
        },
      },
      '/apps/{id}/secrets': {
        parameters: [idParam],
        get: {
          summary: 'Its working secrets: times only, never values',
          responses: {
            200: ok('The secrets', {
              type: 'object',
              required: ['secrets'],
              properties: { secrets: { type: 'array', items: ref('Secret') } },
            }),
            ...common,
          },
        },
        post: {
          summary: 'Rotate the secret; the previous ones keep working for the grace period',
          requestBody: { required: true, content: json(ref('Rotation')) },
          responses: { 201: ok('The new secret, shown once', ref('RotatedSecret')), ...changing },
        },
      },
      '/apps/{id}/collaborators': {
        parameters: [idParam],
        get: {
          summary: 'Its collaborators',
          responses: { 200: ok('The collaborators', ref('Collaborators')), ...common },
        },
        post: {
          summary: 'Add a collaborator by email (owner, admin)',
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['email'],
              additionalProperties: false,
              properties: { email: { type: 'string', format: 'email' } },
            }),
          },
          responses: {
            200: ok('Already a collaborator', ref('Collaborators')),
            201: ok('Added', ref('Collaborators')),
            ...changing,
          },
        },
      },
      '/apps/{id}/collaborators/{userId}': {
        parameters: [idParam, { name: 'userId', in: 'path', required: true, schema: { type: 'string' } }],
        delete: {
          summary: 'Remove a collaborator (owner, admin)',
          responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404, 503) },
        },
      },
      ...activityPaths(idParam, common),
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { 200: ok('OpenAPI 3.1', { type: 'object' }) },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token with the manage scope (RFC 6750)',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'lk_session',
          description: 'The portal session (__Host-lk_session over https)',
        },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: "The session's anti-CSRF value, needed on every change",
        },
      },
      schemas: {
        App: {
          type: 'object',
          required: [
            'client_id',
            'name',
            'description',
            'homepage_url',
            'type',
            'redirect_uris',
            'post_logout_redirect_uris',
            'backchannel_logout_uri',
            'grant_types',
            'scope',
            'subject_type',
            'id_token_signed_response_alg',
            'owner',
            'role',
            'created_at',
          ],
          properties: {
            client_id: { type: 'string' },
            name: { type: 'string' },
            description: { type: ['string', 'null'] },
            homepage_url: { type: ['string', 'null'], format: 'uri' },
            type: { enum: Object.keys(APP_TYPES) },
            redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } },
            post_logout_redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } },
            backchannel_logout_uri: { type: ['string', 'null'], format: 'uri' },
            grant_types: { type: 'array', items: { type: 'string' } },
            scope: { type: 'string', description: 'space-separated' },
            ...openid,
            owner: { type: ['string', 'null'], description: "the owner's email" },
            role: { enum: ['owner', 'collaborator', 'admin'], description: 'how you stand to the app' },
            created_at: iso,
          },
        },
        CreatedApp: {
          allOf: [
            ref('App'),
            {
              type: 'object',
              properties: {
                client_secret: { type: 'string', description: 'shown once; absent for a native app' },
              },
            },
          ],
        },
        NewApp: {
          type: 'object',
          required: ['name', 'type', 'scope'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            type: {
              enum: Object.keys(APP_TYPES),
              description: Object.entries(APP_TYPES)
                .map(([name, t]) => `${name}: ${t.label}`)
                .join('; '),
            },
            redirect_uris: { type: 'array', maxItems: 50, items: { type: 'string' } },
            scope: { type: 'string' },
            ...profile,
            ...logout,
            ...openid,
          },
        },
        AppChanges: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            redirect_uris: { type: 'array', maxItems: 50, items: { type: 'string' } },
            scope: { type: 'string' },
            ...profile,
            ...logout,
            ...openid,
          },
        },
        Secret: {
          type: 'object',
          required: ['id', 'created_at', 'expires_at'],
          properties: {
            id: { type: 'string' },
            created_at: iso,
            expires_at: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        Rotation: {
          type: 'object',
          additionalProperties: false,
          properties: { grace_seconds: { enum: [...GRACE_CHOICES] } },
        },
        RotatedSecret: {
          type: 'object',
          required: ['client_secret', 'previous_secrets_expire_at', 'secrets'],
          properties: {
            client_secret: { type: 'string' },
            previous_secrets_expire_at: { type: ['string', 'null'], format: 'date-time' },
            secrets: { type: 'array', items: ref('Secret') },
          },
        },
        Collaborators: {
          type: 'object',
          required: ['collaborators'],
          properties: {
            collaborators: {
              type: 'array',
              items: {
                type: 'object',
                required: ['user_id', 'email', 'added_at'],
                properties: { user_id: { type: 'string' }, email: { type: 'string' }, added_at: iso },
              },
            },
          },
        },
        ...activitySchemas(),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            field: { type: 'string', description: 'the first request member at fault' },
            errors: {
              type: 'array',
              minItems: 1,
              description:
                'every request member at fault, each with what is wrong with it: a request is checked whole before it is refused (RFC 9457 §3, an extension member); present whenever field is',
              items: {
                type: 'object',
                required: ['field', 'detail'],
                properties: {
                  field: { type: 'string', description: 'the request member' },
                  detail: { type: 'string', description: 'what is wrong with it, for the developer' },
                },
              },
            },
          },
        },
      },
    },
  };
}
