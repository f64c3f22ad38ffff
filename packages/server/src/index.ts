/** @module @latchkey/server */
export {};
