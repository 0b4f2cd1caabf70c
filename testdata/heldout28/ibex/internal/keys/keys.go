// Package keys builds storage keys. User input never goes into a key raw:
// it is hashed, base64url-encoded or path-escaped first so keys stay short,
// printable and free of separators.
package keys

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
)

// Sep separates key segments.
const Sep = ":"

// Join joins segments with Sep.
func Join(parts ...string) string { return strings.Join(parts, Sep) }

// Hash returns the hex SHA-256 of the joined parts (64 characters).
func Hash(parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Email normalises an address and hashes it so the key does not leak it.
func Email(addr string) string {
	return Hash(strings.ToLower(strings.TrimSpace(addr)))
}

// EmailSegment keeps the address readable in the key, escaped. Only used for
// operator-facing records where the address is already known to the reader.
func EmailSegment(addr string) string {
	return url.PathEscape(strings.ToLower(strings.TrimSpace(addr)))
}

// URL encodes an absolute URL into a single key segment. Long URLs are
// hashed instead so the key stays well under the store's key size limit.
func URL(raw string) string {
	if len(raw) > 200 {
		return "h" + Hash(raw)
	}
	return "b" + base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// Slug escapes a user-chosen slug for use as a key segment.
func Slug(s string) string {
	return url.PathEscape(strings.ToLower(strings.TrimSpace(s)))
}

// Token hashes a bearer token; tokens are never stored in clear.
func Token(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
