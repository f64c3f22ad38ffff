#!/usr/bin/env node
// latchkey-proxy: the standalone token proxy, configured from environment variables (see README).
import { main } from '../dist/cli.js';

await main(process.env);
