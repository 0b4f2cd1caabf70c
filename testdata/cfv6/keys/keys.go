// Package keys holds key types that other packages' keys are built from.
package keys

import (
	"errors"
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
