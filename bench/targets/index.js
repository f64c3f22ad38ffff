// The benchmark scenarios, in run order. Each file exports { name, role, description, expectJwt, start() }.
// role: 'ceiling' (the bare baseline all ratios divide by), 'reference' (what we compare against), 'subject'.
import bare from './bare.js';
import latchkeyClientCredentials from './latchkey-client-credentials.js';
import { latchkeyRefreshPostgres, latchkeyRefreshSqlite } from './latchkey-refresh.js';
import oidcProvider from './oidc-provider.js';

export default [
  bare,
  oidcProvider,
  latchkeyClientCredentials,
  latchkeyRefreshSqlite,
  latchkeyRefreshPostgres,
];
