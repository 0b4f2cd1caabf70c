// Package keys builds every KV key the service reads or writes, so the
// Worker and the backend agree on the layout.
package keys

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

const (
	SearchPrefix   = "search:"
	ItemPrefix     = "item:"
	SessionPrefix  = "session:"
	LoanPrefix     = "loan:"
	HoldPrefix     = "holds:item:"
	HoursPrefix    = "hours:"
	TokenPrefix    = "ebook:token:"
	ReminderPrefix = "reminder:"
)

// Search returns the cache key for a normalised catalogue query.
func Search(branch string, query string, page int) string {
	q := strings.ToLower(strings.TrimSpace(query))
	return fmt.Sprintf("%s%s:%s:p%03d", SearchPrefix, branch, url.QueryEscape(q), page)
}

// Item is the cached bibliographic record for an ISBN.
func Item(isbn string) string { return ItemPrefix + isbn }

// Session is a patron login session.
func Session(id string) string { return SessionPrefix + id }

// PatronSession indexes a session under its patron so it can be found on
// PIN change.
func PatronSession(card, id string) string {
	return fmt.Sprintf("patron:%s:session:%s", card, id)
}

// PIN holds the PIN hash of a library card.
func PIN(card string) string { return fmt.Sprintf("patron:%s:pin", card) }

// Loan is one item checked out to one patron.
func Loan(card string, itemID int64) string {
	return fmt.Sprintf("%s%s:%d", LoanPrefix, card, itemID)
}

// HoldQueue is the ordered list of patrons waiting for an item.
func HoldQueue(itemID int64) string { return fmt.Sprintf("%s%d", HoldPrefix, itemID) }

// Hours is the opening hours document of one branch for one ISO week.
func Hours(branch string, year, week int) string {
	return fmt.Sprintf("%s%s:%04d-W%02d", HoursPrefix, branch, year, week)
}

// HoursThisWeek is Hours for the week containing t.
func HoursThisWeek(branch string, t time.Time) string {
	y, w := t.ISOWeek()
	return Hours(branch, y, w)
}

// Token is an e-book lending token.
func Token(id string) string { return TokenPrefix + id }

// ReminderSent marks that the reminder of a loan went out on a day.
func ReminderSent(card string, itemID int64, day time.Time) string {
	return fmt.Sprintf("%ssent:%s:%d:%s", ReminderPrefix, card, itemID, day.Format("2006-01-02"))
}
