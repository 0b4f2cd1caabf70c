// Package catalog defines books, physical copies, loans and holds.
package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/wicket/internal/domain/patron"
)

// ISBN is a validated ISBN-13.
type ISBN string

// CopyID is the item barcode stuck inside one physical copy.
type CopyID string

// BranchCode names a library branch, e.g. "CEN" or "NWB".
type BranchCode string

var ErrBadISBN = errors.New("catalog: invalid ISBN-13")

// NewISBN validates an ISBN-13, accepting hyphens and spaces.
func NewISBN(s string) (ISBN, error) {
	digits := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
	if len(digits) != 13 {
		return "", ErrBadISBN
	}
	sum := 0
	for i, r := range digits {
		if r < '0' || r > '9' {
			return "", ErrBadISBN
		}
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(r-'0') * w
	}
	if sum%10 != 0 {
		return "", fmt.Errorf("%w: checksum", ErrBadISBN)
	}
	return ISBN(digits), nil
}

// NewCopyID validates an item barcode.
func NewCopyID(s string) (CopyID, error) {
	s = strings.TrimSpace(s)
	if len(s) < 6 || len(s) > 20 {
		return "", fmt.Errorf("catalog: bad copy id %q", s)
	}
	return CopyID(s), nil
}

// Title is the bibliographic record shown on kiosks.
type Title struct {
	ISBN    ISBN     `json:"isbn"`
	Name    string   `json:"name"`
	Authors []string `json:"authors"`
	Format  string   `json:"format"`
}

// Loan is one copy checked out to one patron.
type Loan struct {
	Copy      CopyID     `json:"copy"`
	ISBN      ISBN       `json:"isbn"`
	Patron    patron.ID  `json:"patron"`
	Branch    BranchCode `json:"branch"`
	OutAt     time.Time  `json:"outAt"`
	DueAt     time.Time  `json:"dueAt"`
	Renewals  int        `json:"renewals"`
	NoticedAt *time.Time `json:"noticedAt,omitempty"`
}

// DaysLate rounds up partial days; 0 if not yet due.
func (l Loan) DaysLate(t time.Time) int {
	if !t.After(l.DueAt) {
		return 0
	}
	d := t.Sub(l.DueAt)
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// Hold is a patron's place in the queue for a title.
type Hold struct {
	ISBN     ISBN       `json:"isbn"`
	Patron   patron.ID  `json:"patron"`
	Pickup   BranchCode `json:"pickup"`
	PlacedAt time.Time  `json:"placedAt"`
}

// LoanPolicy is the circulation rule for a format.
type LoanPolicy struct {
	Period      time.Duration
	MaxRenewals int
}

// PolicyFor returns the circulation rule for a material format.
func PolicyFor(format string) LoanPolicy {
	switch format {
	case "dvd", "bluray":
		return LoanPolicy{Period: 7 * 24 * time.Hour, MaxRenewals: 1}
	case "magazine":
		return LoanPolicy{Period: 14 * 24 * time.Hour, MaxRenewals: 0}
	default:
		return LoanPolicy{Period: 21 * 24 * time.Hour, MaxRenewals: 3}
	}
}
