// Package keys holds key types that other packages' keys are built from.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Dock names a loading dock on one day; it can fail to encode.
type Dock struct {
	Site string
	Door int
	Day  time.Time
}

// MarshalText implements encoding.TextMarshaler.
func (d Dock) MarshalText() ([]byte, error) {
	if d.Site == "" {
		return nil, errors.New("keys: dock without site")
	}
	return []byte(d.Site + "/" + d.Day.Format("20060102")), nil
}

// Referral is the key of a referral code's record.
func Referral(code string) string { return "ref:" + code }

// A Keyer builds the keys under one prefix from their parts.
type Keyer func(parts ...string) string

// Prefixed returns the Keyer of prefix.
func Prefixed(prefix string) Keyer {
	return func(parts ...string) string {
		key := prefix
		for i, p := range parts {
			if i > 0 {
				key += ":"
			}
			key += p
		}
		return key
	}
}

// Badge names a rider's badge list; its String is the key.
type Badge struct {
	Rider string
	Year  int
}

func (b Badge) String() string { return fmt.Sprintf("badges:%s:%d", b.Rider, b.Year) }

// Space builds the keys of one deployment under its prefix.
type Space struct{ Prefix string }

// Revoked is the key that marks a token revoked.
func (s Space) Revoked(tokenID string) string { return s.Prefix + "revoked:" + tokenID }

// Sender is the key of a sender's profile.
func (s Space) Sender(id string) string { return s.Prefix + "sender:" + id }

// Digest names a long text by its SHA-256, in hex: 64 bytes whatever
// the text.
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
