// Package ids holds the validated value objects shared across services:
// identifiers, phone numbers, e-mail addresses and promo codes.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
)

// ErrInvalid is wrapped by every constructor failure so handlers can map it
// to a 400 response.
var ErrInvalid = errors.New("invalid identifier")

type (
	CustomerID   string
	CourierID    string
	OrderID      string
	RestaurantID string
	PartnerID    string
	WalletID     string
	ZoneID       string
	SessionID    string
	ItemID       string
)

func (id CustomerID) String() string   { return string(id) }
func (id CourierID) String() string    { return string(id) }
func (id OrderID) String() string      { return string(id) }
func (id RestaurantID) String() string { return string(id) }
func (id PartnerID) String() string    { return string(id) }
func (id ZoneID) String() string       { return string(id) }

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])?$`)
	promoPattern = regexp.MustCompile(`^[A-Z0-9]{4,16}$`)
	idPattern    = regexp.MustCompile(`^[a-zA-Z0-9_-]{6,40}$`)
)

func invalid(kind, value string) error {
	return fmt.Errorf("%w: %s %q", ErrInvalid, kind, value)
}

func parse[T ~string](kind, s string) (T, error) {
	if !idPattern.MatchString(s) {
		return "", invalid(kind, s)
	}
	return T(s), nil
}

// ParseCourierID validates a courier identifier.
func ParseCourierID(s string) (CourierID, error) { return parse[CourierID]("courier id", s) }

// ParseRestaurantID validates a restaurant identifier.
func ParseRestaurantID(s string) (RestaurantID, error) {
	return parse[RestaurantID]("restaurant id", s)
}

// Phone is an E.164 phone number such as +447700900123.
type Phone string

// NewPhone normalises and validates a phone number.
func NewPhone(s string) (Phone, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return "", invalid("phone", s)
	}
	for _, r := range s[1:] {
		if !unicode.IsDigit(r) {
			return "", invalid("phone", s)
		}
	}
	return Phone(s), nil
}

func (p Phone) String() string { return string(p) }

// Masked renders the number with all but the last three digits hidden.
func (p Phone) Masked() string {
	if len(p) <= 4 {
		return "***"
	}
	return string(p[:2]) + strings.Repeat("*", len(p)-5) + string(p[len(p)-3:])
}

// Email is a validated, lower-cased address.
type Email string

// NewEmail parses an address and keeps only the addr-spec part.
func NewEmail(s string) (Email, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%w: email: %v", ErrInvalid, err)
	}
	return Email(strings.ToLower(addr.Address)), nil
}

// Slug is a restaurant's public URL name.
type Slug string

// NewSlug validates a restaurant slug.
func NewSlug(s string) (Slug, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !slugPattern.MatchString(s) {
		return "", invalid("slug", s)
	}
	return Slug(s), nil
}

// PromoCode is an upper-case alphanumeric campaign code.
type PromoCode string

// NewPromoCode normalises and validates a promo code typed by a customer.
func NewPromoCode(s string) (PromoCode, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !promoPattern.MatchString(s) {
		return "", invalid("promo code", s)
	}
	return PromoCode(s), nil
}

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// RandomToken returns n random bytes encoded as lower-case base32.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ids: crypto/rand failed: %v", err))
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b))
}

// NewSessionID returns a fresh 160-bit session identifier.
func NewSessionID() SessionID { return SessionID(RandomToken(20)) }
