/**
 * GET and POST /portal/apps/new: Create app. A refused form comes back (400, or 403 for a scope only
 * an admin may give) with every error, each beside its field, and everything as typed; a created app's secret
 * is in the answer to the POST itself, never in a URL or a cookie, and the answer is not stored
 * (`Cache-Control: no-store`, http/page-security.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import { startPage } from '../../http/page.js';
import { sendPage } from '../../http/page-security.js';
import { loginUrl } from '../../http/session.js';
import { createApp } from '../../manage/app-actions.js';
import { APP_TYPES } from '../../oauth/app-types.js';
import type { AppFormValues } from '../../pages/portal/app-form.js';
import { createAppPage, EMPTY_APP_FORM } from '../../pages/portal/create-app.js';
import { createdAppPage } from '../../pages/portal/created-app.js';
import type { FieldErrors } from '../../pages/portal/fields.js';
import { formCaller, pageCaller } from './caller.js';
import { appPath, NEW_APP_PATH } from './paths.js';
import { formRefusals } from './problems.js';
import {
  credentialsOf,
  formValuesFrom,
  logoutMembersOf,
  redirectUrisChecked,
  scopeOptions,
} from './views.js';

/** The form, empty or as typed with its errors. */
function renderForm(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  values: AppFormValues,
  errors: FieldErrors = {},
) {
  const { nonce, csrf } = startPage(ctx, request, reply);
  const body = createAppPage({
    nonce,
    csrf,
    action: NEW_APP_PATH,
    values,
    errors,
    scopes: scopeOptions(ctx),
  });
  return sendPage(reply, status, nonce, body);
}

/** Registers Create app. */
export function createAppEndpoints(app: FastifyInstance, ctx: ServerContext): void {
  app.get(NEW_APP_PATH, async (request, reply) => {
    if (!(await pageCaller(ctx, request))) return reply.redirect(loginUrl(NEW_APP_PATH), 303);
    return renderForm(ctx, request, reply, 200, EMPTY_APP_FORM);
  });

  app.post(NEW_APP_PATH, async (request, reply) => {
    const { params, caller } = await formCaller(ctx, request);
    const values = formValuesFrom(params, ctx.config.scopes);
    // Every field is checked before the form is refused (manage/field-problems.ts), too many redirect
    // URIs among them.
    const { redirectUris, problems } = redirectUrisChecked(values);
    let created: Awaited<ReturnType<typeof createApp>>;
    try {
      created = await createApp(
        ctx,
        caller,
        {
          name: values.name,
          type: values.type,
          scope: values.scopes.join(' '),
          redirectUris,
          description: values.description,
          homepageUrl: values.homepageUrl,
          ...logoutMembersOf(values),
        },
        problems,
      );
    } catch (error) {
      const refused = formRefusals(error);
      return renderForm(ctx, request, reply, refused.status, values, refused.errors);
    }
    const { nonce } = startPage(ctx, request, reply);
    const body = createdAppPage({
      nonce,
      name: created.app.name,
      typeLabel: APP_TYPES[created.type].label,
      appHref: appPath(created.app.id),
      ...credentialsOf(ctx, created.app, created.clientSecret),
    });
    return sendPage(reply, 201, nonce, body, [], { script: true });
  });
}
