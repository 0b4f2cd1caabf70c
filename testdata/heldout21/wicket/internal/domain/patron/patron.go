// Package patron holds the value objects that identify library patrons.
package patron

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ID is the stable internal identifier of a patron record in the ILS.
type ID string

// CardNumber is the 14-digit barcode printed on a library card.
type CardNumber string

// Email is a normalised contact address.
type Email string

// PIN is the 4–6 digit secret a patron types at a kiosk.
type PIN string

// Tier drives loan limits and room-booking quotas.
type Tier int

const (
	TierStandard Tier = iota
	TierStudent
	TierStaff
)

var (
	ErrBadCard  = errors.New("patron: card number must be 14 digits with a valid check digit")
	ErrBadEmail = errors.New("patron: invalid email address")
	ErrBadPIN   = errors.New("patron: PIN must be 4 to 6 digits")
)

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// NewCardNumber validates a barcode using the mod-10 check digit used by
// most integrated library systems.
func NewCardNumber(s string) (CardNumber, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(s) != 14 || !digits(s) {
		return "", ErrBadCard
	}
	sum := 0
	for i, r := range s[:13] {
		d := int(r - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if int(s[13]-'0') != (10-sum%10)%10 {
		return "", ErrBadCard
	}
	return CardNumber(s), nil
}

// NewEmail parses and lower-cases an address.
func NewEmail(s string) (Email, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadEmail, err)
	}
	return Email(strings.ToLower(addr.Address)), nil
}

// NewPIN checks the shape of a PIN; it never logs the value.
func NewPIN(s string) (PIN, error) {
	if len(s) < 4 || len(s) > 6 || !digits(s) {
		return "", ErrBadPIN
	}
	return PIN(s), nil
}

// Patron is the subset of the ILS record the edge needs.
type Patron struct {
	ID         ID         `json:"id"`
	Card       CardNumber `json:"card"`
	Email      Email      `json:"email"`
	Name       string     `json:"name"`
	Tier       Tier       `json:"tier"`
	HomeBranch string     `json:"homeBranch"`
	Blocked    bool       `json:"blocked"`
}

// LoanLimit is the number of items the patron may borrow per day.
func (t Tier) LoanLimit() int {
	switch t {
	case TierStudent:
		return 30
	case TierStaff:
		return 50
	default:
		return 20
	}
}

// WeeklySeatHours caps reading-room bookings per ISO week.
func (t Tier) WeeklySeatHours() int {
	switch t {
	case TierStudent:
		return 20
	case TierStaff:
		return 40
	default:
		return 10
	}
}
