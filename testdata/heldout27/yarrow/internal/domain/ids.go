// Package domain holds the marketplace's value objects and records.
//
// Identifiers are small value types. Each one knows how to normalise itself
// and how to spell the storage keys that belong to it, so that key layout
// lives in one place instead of being re-typed in every service.
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidID is returned by the Parse functions.
var ErrInvalidID = errors.New("domain: invalid identifier")

// Email is a customer's e-mail address.
type Email string

// Normalize lower-cases the address and trims surrounding space.
func (e Email) Normalize() Email {
	return Email(strings.ToLower(strings.TrimSpace(string(e))))
}

// Valid reports whether e looks like an address we can send a login link to.
func (e Email) Valid() bool {
	local, domain, ok := strings.Cut(string(e.Normalize()), "@")
	return ok && local != "" && strings.Contains(domain, ".")
}

// AttemptsKey is where login-link requests for this address are tallied.
func (e Email) AttemptsKey() string {
	var b strings.Builder
	b.Grow(len(e) + 16)
	b.WriteString("login-attempts:")
	b.WriteString(string(e.Normalize()))
	return b.String()
}

// RestaurantID identifies a restaurant, e.g. "r-bao-house".
type RestaurantID string

// ParseRestaurantID validates a slug-like restaurant identifier.
func ParseRestaurantID(s string) (RestaurantID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 || len(s) > 64 || strings.ContainsAny(s, ":/ ") {
		return "", fmt.Errorf("%w: restaurant %q", ErrInvalidID, s)
	}
	return RestaurantID(s), nil
}

// MenuKey is the key of the published menu document.
func (r RestaurantID) MenuKey() string {
	var b strings.Builder
	b.WriteString("menu:")
	b.WriteString(string(r))
	return b.String()
}

// ViewsKey is the key of the menu page view tally.
func (r RestaurantID) ViewsKey() string {
	return string(fmt.Appendf(nil, "menu-views:%s", r))
}

// OrdersPrefix is the common prefix of all tracked orders of r.
func (r RestaurantID) OrdersPrefix() string {
	return string(fmt.Appendf(nil, "track:%s:", r))
}

// SlugKey is the key that records which restaurant owns a public slug.
func SlugKey(slug string) string {
	return string(fmt.Appendf(nil, "slug:%s", strings.ToLower(slug)))
}

// DeskID names a kitchen display station inside a restaurant ("grill", "cold-1").
type DeskID string

// ParseDeskID normalises and validates a desk name.
func ParseDeskID(s string) (DeskID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 32 || strings.ContainsAny(s, ": /") {
		return "", fmt.Errorf("%w: desk %q", ErrInvalidID, s)
	}
	return DeskID(s), nil
}

// BoardKey is the key of the ticket board shown on desk d of restaurant r.
func (d DeskID) BoardKey(r RestaurantID) string {
	return string(fmt.Appendf(nil, "kds:%s:%s", r, d))
}

// FlashKey is the key of a short-lived highlight shown on desk d.
func (d DeskID) FlashKey(r RestaurantID) string {
	return string(fmt.Appendf(nil, "kds-flash:%s:%s", r, d))
}

// Code is a promo code: six upper-case letters or digits.
type Code [6]byte

// ParseCode accepts codes in any case and with surrounding space.
func ParseCode(s string) (Code, error) {
	var c Code
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != len(c) {
		return c, fmt.Errorf("%w: promo code %q", ErrInvalidID, s)
	}
	for i := 0; i < len(c); i++ {
		ch := s[i]
		if (ch < 'A' || ch > 'Z') && (ch < '0' || ch > '9') {
			return c, fmt.Errorf("%w: promo code %q", ErrInvalidID, s)
		}
		c[i] = ch
	}
	return c, nil
}

// Text returns the code as typed by customers.
func (c Code) Text() string { return string(c[:]) }

// Key is the key of the promo definition.
func (c Code) Key() string {
	b := make([]byte, 0, 16)
	b = append(b, "promo:"...)
	return string(append(b, c[:]...))
}

// RedemptionsKey is the key of the number of times the code has been used.
func (c Code) RedemptionsKey() string {
	b := make([]byte, 0, 32)
	b = append(b, "promo-redemptions:"...)
	return string(append(b, c[:]...))
}

// ClaimKey is the key recording that a customer used a single-use code.
func (c Code) ClaimKey(e Email) string {
	var b strings.Builder
	b.WriteString("promo-claim:")
	b.Write(c[:])
	b.WriteByte(':')
	b.WriteString(string(e.Normalize()))
	return b.String()
}

// CourierID identifies a courier account.
type CourierID int64

// LocationKey is the key of the courier's last known position.
func (c CourierID) LocationKey(zone string) string {
	b := make([]byte, 0, 40)
	b = append(b, "courier-loc:"...)
	b = append(b, zone...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(c), 10)
	return string(b)
}

// PingCountKey is the key of the courier's ping tally for the current shift.
func (c CourierID) PingCountKey() string {
	return string(strconv.AppendInt([]byte("courier-pings:"), int64(c), 10))
}

// TokenKey is the key of a courier device token.
func (c CourierID) TokenKey(token string) string {
	b := strconv.AppendInt([]byte("courier-token:"), int64(c), 10)
	b = append(b, ':')
	return string(append(b, token...))
}

// OrderID identifies an order.
type OrderID string

// NewOrderID returns a fresh random order identifier.
func NewOrderID() OrderID { return OrderID("o_" + randomHex(10)) }

// TrackKey is the key of the order's status timeline.
func (o OrderID) TrackKey(r RestaurantID) string {
	return string(fmt.Appendf(nil, "track:%s:%s", r, o))
}

// ETAKey is the key of the courier's live arrival estimate for the order.
func (o OrderID) ETAKey() string {
	return string(fmt.Appendf(nil, "eta:%s", o))
}

// CartID identifies a shopping cart.
type CartID string

// NewCartID returns a fresh random cart identifier.
func NewCartID() CartID { return CartID("c_" + randomHex(12)) }

// SessionID identifies a customer session.
type SessionID string

// NewSessionID returns a fresh, unguessable session identifier.
func NewSessionID() SessionID { return SessionID(randomHex(24)) }

// Key is the key of the session record.
func (s SessionID) Key() string {
	var b strings.Builder
	b.WriteString("sess:")
	b.WriteString(string(s))
	return b.String()
}

// NewToken returns a random URL-safe token of n bytes of entropy.
func NewToken(n int) string { return randomHex(n) }

func randomHex(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic("domain: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(buf)
}
