/** @module @latchkey/resource */
export {};
