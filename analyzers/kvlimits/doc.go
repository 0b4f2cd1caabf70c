// Package kvlimits defines an Analyzer that reports Workers KV limits
// broken by values known at compile time.
//
// # Analyzer kvlimits
//
// kvlimits: report KV size and count limits broken by known values
//
// KV refuses a key longer than 512 bytes (and the keys "", "." and ".."),
// a list limit above 1,000 (and, in the REST API, below 10), metadata that
// serialises to more than 1,024 bytes, a value over 25 MiB, a bulk write
// of more than 10,000 pairs and a bulk get of more than 100 keys. The
// analyzer reports, at the offending expression, each of these when the
// value is known at compile time or bounded by construction: a constant
// key, or a constant part of a key already too long; a constant limit,
// with a suggested fix; a metadata literal; a value made with a constant
// size; a bulk call given more pairs than that by a literal or a counted
// loop. One pair per element of an input of any size is left alone: how
// many a caller passes is not known at compile time.
package kvlimits
