/** What the app page knows of an app and of the user's rights to it (the rules: manage/access.ts). */
import type { AppTypeName } from '../../oauth/app-types.js';
import type { ScopeView } from '../parts.js';
import type { RoleName } from './my-apps.js';

/** An app as its page shows it. */
export interface PortalAppView {
  clientId: string;
  name: string;
  description?: string;
  homepageUrl?: string;
  type: AppTypeName;
  typeLabel: string;
  createdAt: Date;
  scopes: readonly ScopeView[];
  role: RoleName;
  ownerEmail: string | null;
  /** Whether it has secrets (a confidential app, RFC 6749 §2.1). */
  confidential: boolean;
}

/** What the user's role lets them do here (manage/access.ts decides; the page only shows it). */
export interface AppRights {
  editDetails: boolean;
  manageCollaborators: boolean;
  delete: boolean;
}
