// Package ids defines the typed identifiers that appear in storage keys and
// on the wire.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

var (
	ErrBadAccountID = errors.New("ids: malformed account id")
	ErrBadOrderID   = errors.New("ids: malformed order id")
)

// AccountID identifies a customer account, e.g. "acme-prod".
type AccountID string

var accountRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

func (a AccountID) String() string { return string(a) }

func ParseAccountID(s string) (AccountID, error) {
	a := AccountID(strings.ToLower(strings.TrimSpace(s)))
	if !accountRE.MatchString(string(a)) {
		return "", fmt.Errorf("%w: %q", ErrBadAccountID, s)
	}
	return a, nil
}

// OrderID is a random 128-bit identifier rendered as lowercase hex.
type OrderID [16]byte

func NewOrderID() (o OrderID) {
	_, _ = rand.Read(o[:])
	return o
}

func (o OrderID) String() string { return hex.EncodeToString(o[:]) }

func ParseOrderID(s string) (o OrderID, err error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(o) {
		return o, fmt.Errorf("%w: %q", ErrBadOrderID, s)
	}
	copy(o[:], b)
	return o, nil
}

// QueryID names a saved query inside an account.
type QueryID string

func (q QueryID) String() string { return string(q) }

// SessionID is the opaque value carried in the session cookie.
type SessionID string

func (s SessionID) String() string { return string(s) }

// NewSessionID returns 256 bits of randomness, URL-safe.
func NewSessionID() SessionID { return SessionID(Token(32)) }

// Token returns n random bytes encoded as unpadded base64url.
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
