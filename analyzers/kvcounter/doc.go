// Package kvcounter defines an Analyzer that reports counters, rate
// limits and quotas kept in Workers KV.
//
// # Analyzer kvcounter
//
// kvcounter: report counters, rate limits and quotas kept in KV
//
// Workers KV has no atomic increment and no compare-and-swap, and a write
// takes up to 60 seconds to reach every location. A counter kept in KV —
// read, add one, write back — loses counts whenever two requests overlap:
// both read 5, both write 6, and the last write wins. Under load a rate
// limit or quota kept this way is wrong by 20–50%, and KV's limit of one
// write per second per key turns a hot counter into HTTP 429 errors.
//
// The analyzer reports, at the put:
//
//   - a value computed by adding to or subtracting from a value read from
//     the same key (strconv.Atoi, n+1, strconv.Itoa; a decoded struct
//     whose count field is incremented);
//   - a number computed by arithmetic and written under a key whose
//     constant part names a count, rate limit, quota, attempts, hits,
//     views, visits or clicks (the pattern is the -kvcounter.keys flag);
//   - a count kept in the process's memory and added to there, written
//     under any key, when the field, variable, type or method that keeps
//     it names a count.
//
// Keep counters where updates are atomic: D1 with
// "UPDATE counters SET n = n + 1 WHERE key = ?", or a Durable Object that
// owns the count. When kvcounter reports a put, kvrace does not report
// the same put again.
package kvcounter
