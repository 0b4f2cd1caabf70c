// Package tokens mints random identifiers and bearer secrets.
package tokens

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Random returns n random bytes, base64url-encoded without padding.
func Random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("tokens: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// ID returns a 16-byte random identifier.
func ID() string { return Random(16) }

// Secret returns a 32-byte random bearer secret.
func Secret() string { return Random(32) }

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// Code returns a human-typable code of n characters, without look-alike
// characters such as 0/O and 1/I.
func Code(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("tokens: crypto/rand failed: " + err.Error())
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, c := range b {
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String()
}
