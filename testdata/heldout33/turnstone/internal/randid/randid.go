// Package randid mints unguessable identifiers for tokens and sessions.
package randid

import (
	"crypto/rand"
	"encoding/base64"
)

// New returns prefix followed by n random bytes in URL-safe base64.
func New(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("randid: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Token returns a 32-byte random token with the given prefix.
func Token(prefix string) string { return New(prefix, 32) }
