/** @module @latchkey/proxy */
export {};
