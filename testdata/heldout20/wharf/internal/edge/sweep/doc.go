// Package sweep holds the scheduled maintenance jobs that walk the KV
// namespace directly: stale holds, stale presence, ticket exports and the
// run record. It is compiled only for the js/wasm Worker build.
package sweep
