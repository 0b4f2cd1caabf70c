// Package kvttl defines an Analyzer that reports Workers KV expirations
// that KV rejects or misreads.
//
// # Analyzer kvttl
//
// kvttl: report KV expirations that are too short or in the wrong unit
//
// Workers KV does not accept expirations less than 60 seconds into the
// future, for either form: a put with expirationTtl 59 or an absolute
// expiration 30 seconds ahead fails with HTTP 400 ("Expiration TTL must be
// at least 60"). The absolute Expiration is in seconds since the Unix
// epoch and ExpirationTTL in seconds from now, so a time.Duration
// converted to an integer (nanoseconds) or a UnixMilli timestamp is off by
// a factor of a billion or a thousand. A get's CacheTTL below the runtime
// minimum (30 s) is rejected too.
//
// The analyzer reports, at the TTL or expiration expression:
//
//   - an ExpirationTTL known at compile time to be below 60 seconds;
//   - an absolute Expiration that is a constant in the past, or
//     time.Now() plus less than 60 seconds;
//   - a time.Duration converted to an integer number of seconds, and
//     millisecond or nanosecond timestamps where seconds are expected;
//   - a CacheTTL below the minimum.
//
// Values known only at run time (configuration, flags, the environment)
// are not reported.
package kvttl
