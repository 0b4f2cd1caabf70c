// Package ids defines the typed identifiers that flow through estuary, so an
// order ID cannot be passed where an account ID is expected.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
)

// AccountID identifies a partner account: the ID billing issues, lower-case
// letters, digits and dashes.
type AccountID string

func (a AccountID) String() string { return string(a) }

// Valid reports whether a looks like an ID billing would issue.
func (a AccountID) Valid() bool {
	for _, r := range string(a) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return len(a) >= 3 && len(a) <= 64
}

// OrderID is a random 128-bit order identifier, rendered as 32 hex digits.
type OrderID [16]byte

// NewOrderID returns a fresh random OrderID.
func NewOrderID() OrderID {
	var id OrderID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	return id
}

func (o OrderID) String() string { return hex.EncodeToString(o[:]) }

// ErrBadOrderID is returned by ParseOrderID for malformed input.
var ErrBadOrderID = errors.New("ids: malformed order id")

// ParseOrderID parses the form produced by OrderID.String.
func ParseOrderID(s string) (OrderID, error) {
	var id OrderID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("%w: %q", ErrBadOrderID, s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("%w: %v", ErrBadOrderID, err)
	}
	return id, nil
}

// Token is an opaque random credential: session IDs, refresh tokens, OAuth
// state, invite codes.
type Token string

func (t Token) String() string { return string(t) }

// NewToken returns n random bytes, base64url encoded without padding.
func NewToken(n int) Token {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return Token(base64.RawURLEncoding.EncodeToString(b))
}

// HolderID names a process that holds a lease: host, pid and a random suffix
// so it is unique across restarts.
type HolderID string

func NewHolderID() HolderID {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return HolderID(fmt.Sprintf("%s/%d/%s", host, os.Getpid(), NewToken(4)))
}

// Slug is a public, URL-safe name an account claims for its ingest endpoint.
type Slug string

func (s Slug) String() string { return string(s) }
