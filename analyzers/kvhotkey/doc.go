// Package kvhotkey defines an Analyzer that reports writes to one Workers
// KV key faster than KV allows.
//
// # Analyzer kvhotkey
//
// kvhotkey: report writes to one KV key on every iteration or request
//
// KV accepts one write per second to the same key; writes beyond that are
// refused with 429 Too Many Requests. The analyzer reports, at the put:
//
//   - a write of the same key, in the same namespace, in every iteration
//     of a loop: a progress or checkpoint key, a "last event" key, a status
//     key written once per item or message;
//   - a write of a constant key that records activity (a last-seen stamp,
//     a status, a heartbeat) on every request, in an HTTP handler (a
//     Worker's fetch handler included).
//
// It stays quiet on distinct keys in a loop, on a loop that writes once
// and leaves, on retries of a failed write, on loops paced by a sleep or
// a ticker, on writes that a read of the same key guards (written once),
// on cache fills after a miss, and on other constant keys, which change
// when someone acts (a setting, a notice), and in admin handlers. A
// read-modify-write of the key is kvrace's or kvcounter's to report.
// Instead: write once after the loop, write distinct keys with a bulk
// write, or keep the hot value in a Durable Object.
package kvhotkey
