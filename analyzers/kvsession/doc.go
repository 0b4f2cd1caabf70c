// Package kvsession defines an Analyzer that reports sessions, tokens and
// one-time codes in Workers KV whose revocation or change KV cannot make
// immediate.
//
// # Analyzer kvsession
//
// kvsession: report credentials revoked, consumed or changed in KV
//
// Cloudflare recommends KV for session data that is written once and read
// often, and creating a session under a fresh random ID is fine. What KV
// cannot do is make a change visible everywhere at once: other locations
// keep serving the value they cached for 60 seconds or more after a write
// or a delete. So:
//
//   - deleting or overwriting a session, refresh token, one-time code,
//     magic link, OAuth state, authorization code or API key — on logout,
//     redemption, rotation or a password change — leaves the old value
//     valid at other locations: a logged-out session still works there and
//     a one-time code can be replayed;
//   - a revocation list (denylist) kept in KV is not immediate either;
//   - a session, cart or token record that is read, changed and written
//     back (sliding expiry, last-seen stamps) loses concurrent updates and
//     is read stale elsewhere.
//
// The analyzer reports the delete or the put. It knows a credential by the
// words of its key (constant text and the names in the key expression),
// of the wrapper or storage port it goes through, of the value's type,
// and, for a key that says nothing itself, of the function that revokes;
// the -kvsession.credentials and -kvsession.state flags are the patterns.
// With -kvsession.strict it also reports the creation of a credential,
// which the very next request may not see at another location.
//
// Keep credentials that must change at once in a Durable Object; issue
// short-lived signed tokens and check revocations in a consistent store
// such as D1. When kvcounter reports a put, kvsession does not; when
// kvsession does, kvrace does not.
package kvsession
