// Type shim: oidc-provider ships no declarations; the interop tests use it untyped.
declare module 'oidc-provider';
