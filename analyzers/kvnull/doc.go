// Package kvnull defines an Analyzer that reports Workers KV gets whose
// missing key is taken for a value.
//
// # Analyzer kvnull
//
// kvnull: report missing KV keys mistaken for values
//
// KV answers a get of a missing key with null, and each Go SDK surfaces
// that differently. syumai/workers' GetString returns the string "<null>",
// syscall/js's rendering of a JS null, and never "": so a miss check
// v == "" or len(v) == 0 is never true, and a value parsed with no check
// reads "<null>". GetReader returns a reader over the JS null, never nil,
// which panics when read. cloudflare-go returns an error for a missing key,
// and code that treats every error as "missing" and then writes the key
// overwrites real data after a timeout or a 429. The analyzer reports:
//
//   - at the comparison, a miss check of GetString's value against "" or
//     of its length against 0, with a suggested fix that compares with
//     "<null>", a check of GetReader's reader against nil, and a check
//     of cloudflare-go's response status against 404 where the get
//     returned no error (the SDK returns every 4xx as the error);
//   - at the get, a GetString value parsed (strconv, encoding/json, the
//     standard library's other parsers) with no check for "<null>" on
//     any path, and a GetReader of a key built at run time,
//     whose reader is read with nothing that says the key exists;
//   - at the get, a GetString value written as the response with no
//     check for "<null>", and, for a get that reports a miss as an error,
//     a value decoded where the not-found was let through (binary's
//     readers panic on the empty value; a parse error handed on fails
//     every miss);
//   - at the get, any SDK, a get whose every error is taken for a missing
//     key (ignored, or handled without looking at it) before a write of
//     the same key with a value built from what the get returned;
//   - at the get, a request to the REST API over net/http whose response
//     body is read with no look at its status: a miss is a 404 response,
//     not an error.
//
// A wrapper that returns GetString's value unchanged passes "<null>" on
// to its callers, whose checks are then judged; one that looks for it, or
// returns "" or a sentinel error, makes its callers' checks right.
package kvnull
