/** Every repository over one database, built once at start (server.ts) and by tests. */
import { RecentErrorRepository } from './activity/recent-errors.js';
import { UsageRepository } from './activity/usage.js';
import { AppMemberRepository } from './app-members.js';
import { AuditRepository } from './audit.js';
import { AuthorizationRequestRepository } from './authorization-requests.js';
import { ClientRepository } from './clients.js';
import { CodeRepository } from './codes.js';
import { ConnectedAppRepository } from './connected-apps.js';
import { ConsentRepository } from './consents.js';
import type { Db } from './database.js';
import { EmailLinkRepository } from './email-links.js';
import { GrantSessionRepository } from './openid/grant-sessions.js';
import { PasswordResetRepository } from './password-reset.js';
import { RefreshTokenRepository } from './refresh-tokens/repository.js';
import { RevocationRepository } from './revocations.js';
import { UserRepository } from './users.js';

/** The repositories, one per concern (storage/README.md documents their tables). */
export interface Repositories {
  clients: ClientRepository;
  users: UserRepository;
  consents: ConsentRepository;
  authorizationRequests: AuthorizationRequestRepository;
  codes: CodeRepository;
  refreshTokens: RefreshTokenRepository;
  revocations: RevocationRepository;
  connectedApps: ConnectedAppRepository;
  appMembers: AppMemberRepository;
  audit: AuditRepository;
  /** An app's recent failed requests (activity/). */
  appErrors: RecentErrorRepository;
  /** Tokens issued per app, day and grant type (activity/). */
  appUsage: UsageRepository;
  /** Single-use email links: verification and password reset (accounts/). */
  emailLinks: EmailLinkRepository;
  /** A password reset by email link and everything it ends. */
  passwordResets: PasswordResetRepository;
  /** The sign-in an OpenID Connect grant was made in (its `sid` and `auth_time`). */
  grantSessions: GrantSessionRepository;
}

/** Builds every repository over `db`; `clientCacheSize` bounds the SQLite registration cache. */
export function openRepositories(db: Db, options: { clientCacheSize?: number } = {}): Repositories {
  const refreshTokens = new RefreshTokenRepository(db);
  return {
    clients: new ClientRepository(db, options.clientCacheSize),
    users: new UserRepository(db),
    consents: new ConsentRepository(db),
    authorizationRequests: new AuthorizationRequestRepository(db),
    codes: new CodeRepository(db, refreshTokens),
    refreshTokens,
    revocations: new RevocationRepository(db),
    connectedApps: new ConnectedAppRepository(db),
    appMembers: new AppMemberRepository(db),
    audit: new AuditRepository(db),
    appErrors: new RecentErrorRepository(db),
    appUsage: new UsageRepository(db),
    emailLinks: new EmailLinkRepository(db),
    passwordResets: new PasswordResetRepository(db),
    grantSessions: new GrantSessionRepository(db),
  };
}
