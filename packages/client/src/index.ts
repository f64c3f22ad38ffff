/** @module @latchkey/client */
export {};
