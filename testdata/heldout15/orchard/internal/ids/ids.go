// Package ids defines the typed identifiers used across the service.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

type AccountID string

func (a AccountID) String() string { return string(a) }

type GrowerID string

func (g GrowerID) String() string { return string(g) }

type SKU string

func (s SKU) String() string { return strings.ToUpper(string(s)) }

// OrderID is a random 128-bit order identifier rendered as hex.
type OrderID [16]byte

func NewOrderID() (id OrderID) {
	_, _ = rand.Read(id[:])
	return id
}

func (o OrderID) String() string { return hex.EncodeToString(o[:]) }

var ErrBadOrderID = errors.New("ids: malformed order id")

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

func (o OrderID) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func (o *OrderID) UnmarshalText(b []byte) (err error) {
	*o, err = ParseOrderID(string(b))
	return err
}

// Token returns n random bytes as hex, for session IDs, one-time codes and
// refresh tokens.
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
