// Package domain holds the value objects and records shared by the edge worker
// and the back-office service. Value objects normalise themselves and know the
// storage keys derived from them, so key layout lives in one place.
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is returned when a value object fails validation.
var ErrInvalid = errors.New("domain: invalid value")

// dayLayout is the calendar-day format used inside keys.
const dayLayout = "2006-01-02"

// Email is a member's or visitor's address, compared case-insensitively.
type Email string

// Normalize trims surrounding space and lower-cases the address.
func (e Email) Normalize() Email {
	return Email(strings.ToLower(strings.TrimSpace(string(e))))
}

// Valid reports whether the address has a local part and a domain.
func (e Email) Valid() bool {
	n := string(e.Normalize())
	at := strings.IndexByte(n, '@')
	return at > 0 && at < len(n)-1 && !strings.ContainsAny(n, " \t")
}

// Key addresses the member lookup record for this address.
func (e Email) Key() string {
	n := e.Normalize()
	var b strings.Builder
	b.Grow(len("member:email:") + len(n))
	b.WriteString("member:email:")
	b.WriteString(string(n))
	return b.String()
}

// SiteID names a co-working location ("ber-mitte", "lis-alfama").
type SiteID string

// Normalize lower-cases the site slug.
func (s SiteID) Normalize() SiteID { return SiteID(strings.ToLower(strings.TrimSpace(string(s)))) }

// MemberID is the opaque identifier of a member account.
type MemberID string

// DeskID identifies a hot desk within a site, e.g. "A-14".
type DeskID string

// Normalize upper-cases the desk label and strips spaces.
func (d DeskID) Normalize() DeskID {
	return DeskID(strings.ToUpper(strings.ReplaceAll(string(d), " ", "")))
}

// ClaimKey addresses the record of who holds the desk on the given day.
func (d DeskID) ClaimKey(site SiteID, day time.Time) string {
	return string(fmt.Appendf(nil, "desk:%s:%s:%s", site.Normalize(), d.Normalize(), day.UTC().Format(dayLayout)))
}

// HoldKey addresses a short reservation hold placed while the member pays.
func (d DeskID) HoldKey(site SiteID, day time.Time) string {
	return string(fmt.Appendf(nil, "hold:%s:%s:%s", site.Normalize(), d.Normalize(), day.UTC().Format(dayLayout)))
}

// RoomID identifies a bookable meeting room.
type RoomID string

// PassID identifies a day pass.
type PassID string

// InvoiceID identifies an invoice document.
type InvoiceID string

// Code is a six-digit door access code.
type Code [6]byte

// ParseCode accepts exactly six ASCII digits.
func ParseCode(s string) (Code, error) {
	var c Code
	s = strings.TrimSpace(s)
	if len(s) != len(c) {
		return c, fmt.Errorf("door code %q: %w", s, ErrInvalid)
	}
	for i := 0; i < len(c); i++ {
		if s[i] < '0' || s[i] > '9' {
			return c, fmt.Errorf("door code %q: %w", s, ErrInvalid)
		}
		c[i] = s[i]
	}
	return c, nil
}

// NewCode draws a random door code.
func NewCode() (Code, error) {
	var c Code
	var raw [6]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return c, err
	}
	for i, b := range raw {
		c[i] = '0' + b%10
	}
	return c, nil
}

// String renders the code as digits.
func (c Code) String() string { return string(c[:]) }

// Key addresses the grant behind this code at a site.
func (c Code) Key(site SiteID) string {
	b := make([]byte, 0, 16+len(site))
	b = append(b, "door:code:"...)
	b = append(b, site.Normalize()...)
	b = append(b, ':')
	b = append(b, c[:]...)
	return string(b)
}

// AttemptsKey addresses the failed-entry tally for a keypad.
func AttemptsKey(site SiteID, keypad int) string {
	b := make([]byte, 0, 32)
	b = append(b, "access:attempts:"...)
	b = append(b, site.Normalize()...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(keypad), 10)
	return string(b)
}

// InvoiceNumberKey addresses the rendered invoice for a yearly sequence number.
func InvoiceNumberKey(year int, seq int64) string {
	b := make([]byte, 0, 24)
	b = append(b, "invoice:no:"...)
	b = strconv.AppendInt(b, int64(year), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, seq, 10)
	return string(b)
}

// NewToken returns a random URL-safe token of n bytes of entropy.
func NewToken(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(buf), nil
}

// Day returns the UTC calendar day of t in key format.
func Day(t time.Time) string { return t.UTC().Format(dayLayout) }

// EndOfDay returns midnight at the end of t's day in the site's zone.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}
