// Package kvrace defines an Analyzer that reports read-modify-write
// cycles on one Workers KV key.
//
// # Analyzer kvrace
//
// kvrace: report a KV put of a value derived from a get of the same key
//
// Workers KV has no transactions and no compare-and-swap: "if concurrent
// writes are made to the same key, the last write will take precedence",
// and a write takes up to 60 seconds to reach other locations. Code that
// reads a key, changes what it read and writes it back — appends to a
// JSON list, increments a field, concatenates onto a string — loses the
// updates of every request that overlaps it, silently.
//
// The analyzer reports the put, pointing at the get, when the written
// value is computed from the value read from the same key in the same
// namespace: through strconv, fmt, encoding/json, append, arithmetic or
// string concatenation, in the same function, in closures, deferred calls
// and goroutines, and through wrapper functions in any package.
//
// It stays quiet on read-through caches (a miss computed from elsewhere,
// then put), on writes whose value does not depend on what was read, and
// on different keys or namespaces. Keep state that is read, changed and
// written back in a Durable Object, which serialises its updates, or in
// D1 with an UPDATE that changes it in place.
//
// When kvcounter reports the same put as a counter, kvrace does not.
package kvrace
