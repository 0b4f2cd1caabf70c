// Package keys builds storage keys and random identifiers.
package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"net/url"
	"strings"
)

// Keyer is implemented by records that know their own storage key.
type Keyer interface {
	Key() string
}

// Join path-escapes each segment and joins them with "/".
func Join(segs ...string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = url.PathEscape(s)
	}
	return strings.Join(out, "/")
}

// Digest returns the hex SHA-256 of the parts after trimming and
// lower-casing them, so "Ann@Example.com " and "ann@example.com" agree.
func Digest(parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(strings.ToLower(strings.TrimSpace(p))))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Token returns n random bytes, hex-encoded.
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("keys: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Code returns a random decimal code of the given number of digits.
func Code(digits int) string {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		panic("keys: crypto/rand: " + err.Error())
	}
	s := n.String()
	return strings.Repeat("0", digits-len(s)) + s
}
