/** The management rules as pure functions: each role's actions, and who sees an app at all. */
import { describe, expect, it } from 'vitest';
import { type AppAction, may, restrictedScopesRefused, roleFor } from './access.js';

const app = { clientId: 'lk_a', ownerId: 'usr_owner', collaboratorIds: ['usr_helper'] };
const user = (id: string, isAdmin = false) => ({ id, isAdmin });
const ALL: AppAction[] = [
  'view',
  'view-errors',
  'view-usage',
  'edit-redirect-uris',
  'edit-details',
  'rotate-secret',
  'delete',
  'manage-collaborators',
];

describe('roleFor', () => {
  it('names the owner, an admin, a collaborator; anyone else has no role (the app is a 404 to them)', () => {
    expect(roleFor(user('usr_owner'), app)).toBe('owner');
    expect(roleFor(user('usr_root', true), app)).toBe('admin');
    expect(roleFor(user('usr_helper'), app)).toBe('collaborator');
    expect(roleFor(user('usr_other'), app)).toBeUndefined();
    expect(roleFor(user('usr_other'), { ...app, ownerId: null })).toBeUndefined();
    expect(roleFor(user('usr_root', true), { ...app, ownerId: null })).toBe('admin');
  });
});

describe('may', () => {
  it('lets owners and admins do everything', () => {
    for (const action of ALL) {
      expect(may('owner', action)).toBe(true);
      expect(may('admin', action)).toBe(true);
    }
  });
  it('lets a collaborator view, edit redirect URIs and rotate the secret, but not delete or change who collaborates', () => {
    const allowed = ALL.filter((action) => may('collaborator', action));
    expect(allowed).toEqual(['view', 'view-errors', 'view-usage', 'edit-redirect-uris', 'rotate-secret']);
  });
});

describe('restrictedScopesRefused', () => {
  it('names the restricted scopes a developer asked for; an admin and the CLI may give them', () => {
    const restricted = ['admin:all', 'billing'];
    expect(restrictedScopesRefused(user('u'), ['data:read', 'billing'], restricted)).toEqual(['billing']);
    expect(restrictedScopesRefused(user('u'), ['data:read'], restricted)).toEqual([]);
    expect(restrictedScopesRefused(user('u', true), ['billing'], restricted)).toEqual([]);
    expect(restrictedScopesRefused('cli', ['billing'], restricted)).toEqual([]);
  });
});
