/**
 * The management API's test fixture: a server with a restricted scope, and four portal users calling
 * /manage/v1 with their sessions (an owner, a helper to add as collaborator, a stranger, an admin).
 */
import { PortalUser } from './portal-user.js';
import { type DialectName, startTestServer, type TestServer } from './server.js';
import { closingOnFailure, serverSuiteFixture } from './suite-fixture.js';

/** The server of the management API tests and its four signed-in users. */
export interface ManageFixture {
  s: TestServer;
  owner: PortalUser;
  helper: PortalUser;
  stranger: PortalUser;
  admin: PortalUser;
}

/**
 * Starts a server on `dialect` with data:write restricted to admins, and signs the four users up; the
 * caller closes `s`.
 */
export async function startManageServer(dialect: DialectName): Promise<ManageFixture> {
  const s = await startTestServer(dialect, {
    LATCHKEY_SCOPES: 'data:read data:write manage',
    LATCHKEY_RESTRICTED_SCOPES: 'data:write',
  });
  return closingOnFailure(s, async () => {
    return {
      s,
      owner: await PortalUser.signUp(s, 'owner@example.com'),
      helper: await PortalUser.signUp(s, 'helper@example.com'),
      stranger: await PortalUser.signUp(s, 'stranger@example.com'),
      admin: await PortalUser.signUp(s, 'root@example.com', { admin: true }),
    };
  });
}

/**
 * Starts the server of `startManageServer` in the calling describe block's `beforeAll` and closes it in
 * its `afterAll`; returns getters over what started.
 */
export function useManageServer(dialect: DialectName): ManageFixture {
  return serverSuiteFixture(() => startManageServer(dialect));
}
