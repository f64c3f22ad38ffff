/** Repository for users and their browser sessions. */
import { hashPassword, verifyPassword } from '../tokens/password.js';
import { hasIssuedShape, randomToken, sha256Hex } from '../tokens/random.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';

/** A user as pages and grants see it (never the password hash). */
export interface User {
  id: string;
  email: string;
  createdAt: number;
  /** Sees and manages every app (`latchkey users create --admin`). */
  isAdmin: boolean;
  /** The name the user gave (OIDC Core §5.1 `name`); absent when none was given. */
  name?: string;
  /** True only once the user followed a verification link sent to `email` (OIDC Core §5.1). */
  emailVerified: boolean;
  /** When the name or email last changed, epoch seconds (OIDC Core §5.1 `updated_at`). */
  updatedAt: number;
}

/** A live sign-in session and its user (OIDC Core §2: `sid`, `auth_time`). */
export interface Session {
  user: User;
  /** The session's public ID: the ID token's `sid`, never the cookie value. */
  sid: string;
  /** When the user last entered their password in this session, epoch seconds. */
  authTime: number;
}

/** The columns a {@link User} is read from. */
const USER_COLUMNS = [
  'users.id',
  'users.email',
  'users.created_at',
  'users.is_admin',
  'users.name',
  'users.email_verified',
  'users.updated_at',
] as const;

interface UserColumns {
  id: string;
  email: string;
  created_at: number;
  is_admin: number;
  name: string | null;
  email_verified: number;
  updated_at: number | null;
}

function toUser(row: UserColumns): User {
  const createdAt = Number(row.created_at);
  return {
    id: row.id,
    email: row.email,
    createdAt,
    isAdmin: Number(row.is_admin) === 1,
    ...(row.name !== null && { name: row.name }),
    emailVerified: Number(row.email_verified) === 1,
    updatedAt: row.updated_at === null ? createdAt : Number(row.updated_at),
  };
}

/** An email that is already registered. */
export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

/** Normalizes an email for lookup and uniqueness. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Whether a string looks like an email address (the full grammar is the mail server's business). */
export function isEmail(email: string): boolean {
  return EMAIL.test(email) && email.length <= 320;
}

/** User and session data access. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  /**
   * Registers a user (an admin with `options.admin`, named `options.name`); the password is stored as a
   * scrypt hash. The email is not verified until a verification link is followed.
   */
  async create(
    email: string,
    password: string,
    options: { admin?: boolean; name?: string | undefined } = {},
  ): Promise<User> {
    const user: User = {
      id: `usr_${randomToken(12)}`,
      email: normalizeEmail(email),
      createdAt: unixNow(),
      isAdmin: options.admin === true,
      emailVerified: false,
      updatedAt: 0,
    };
    user.updatedAt = user.createdAt;
    if (options.name !== undefined) user.name = options.name;
    const existing = await this.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', user.email)
      .executeTakeFirst();
    if (existing) throw new EmailTakenError(`a user with email ${user.email} exists`);
    const password_hash = await hashPassword(password);
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          password_hash,
          created_at: user.createdAt,
          // Written only when set: the column's default is 0 (and upgrade tests create users on
          // schemas from before migration 012).
          ...(user.isAdmin ? { is_admin: 1 } : {}),
          // Likewise only when given (migration 014 added the column).
          ...(user.name !== undefined ? { name: user.name } : {}),
        })
        .execute();
    } catch (error) {
      const again = await this.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', user.email)
        .executeTakeFirst();
      if (again) throw new EmailTakenError(`a user with email ${user.email} exists`);
      throw error;
    }
    return user;
  }

  /** Checks an email and password; unknown emails cost the same as wrong passwords. */
  async verify(email: string, password: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash);
    return ok && row ? toUser(row) : undefined;
  }

  /** Finds a user by ID. */
  async find(id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Finds a user by email (normalized as at sign-up). */
  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Makes a user an admin or takes it back; the user as it now is, or `undefined` if none has that email. */
  async setAdmin(email: string, admin: boolean): Promise<User | undefined> {
    await this.db
      .updateTable('users')
      .set({ is_admin: admin ? 1 : 0 })
      .where('email', '=', normalizeEmail(email))
      .execute();
    return this.findByEmail(email);
  }

  /**
   * Gives a user a name (OIDC Core §5.1 `name`) and moves `updated_at`; the user as it now is, or
   * `undefined` if none has that email.
   */
  async setName(email: string, name: string): Promise<User | undefined> {
    await this.db
      .updateTable('users')
      .set({ name, updated_at: unixNow() })
      .where('email', '=', normalizeEmail(email))
      .execute();
    return this.findByEmail(email);
  }

  /**
   * Starts a session after the user entered their password: `auth_time` is now, and the session gets a
   * public `sid` (OIDC Core §2). Returns the cookie value (stored only as its hash).
   */
  async createSession(userId: string, ttlSeconds: number): Promise<string> {
    const token = randomToken(32);
    const at = unixNow();
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: sha256Hex(token),
        user_id: userId,
        created_at: at,
        expires_at: at + ttlSeconds,
        sid: randomToken(16),
        auth_time: at,
      })
      .execute();
    return token;
  }

  /**
   * The live session of a cookie, with its `sid` and `auth_time` (rows from before migration 014 have
   * neither: their `sid` is derived from the row's hash, their `auth_time` is when they started).
   */
  async session(token: string): Promise<Session | undefined> {
    if (!hasIssuedShape('token', token)) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        ...USER_COLUMNS,
        'sessions.id_hash',
        'sessions.sid',
        'sessions.auth_time',
        'sessions.created_at as session_created_at',
      ])
      .where('sessions.id_hash', '=', sha256Hex(token))
      .where('sessions.expires_at', '>', unixNow())
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      user: toUser(row),
      sid: row.sid ?? sha256Hex(`sid:${row.id_hash}`).slice(0, 22),
      authTime: Number(row.auth_time ?? row.session_created_at),
    };
  }

  /** The user of a live session cookie, if any (a cookie we cannot have issued is not looked up). */
  async sessionUser(token: string): Promise<User | undefined> {
    return (await this.session(token))?.user;
  }

  /** Ends a session (a cookie we cannot have issued has none to end). */
  async deleteSession(token: string): Promise<void> {
    if (!hasIssuedShape('token', token)) return;
    await this.db.deleteFrom('sessions').where('id_hash', '=', sha256Hex(token)).execute();
  }
}
