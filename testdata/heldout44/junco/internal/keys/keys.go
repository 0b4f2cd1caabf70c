// Package keys builds the KV key names shared by the Worker and the backend.
// Every key starts with a short type prefix so that list calls can scan one
// kind of record at a time.
package keys

import (
	"fmt"
	"time"
)

// Key prefixes used with list calls.
const (
	PrefixHold          = "hold:"
	PrefixHostSession   = "hostsess:"
	PrefixWaitlistEntry = "wl:"
	PrefixNoShow        = "noshow:count:"
	PrefixDeposit       = "deposit:"
	PrefixMenu          = "menu:"
	PrefixGuest         = "guest:"
)

// Singleton keys.
const (
	AvailabilityDirty = "availability:dirty"
	MenuLastServed    = "menu:last-served"
	NoShowQueueCursor = "queue:noshow:last-id"
	BackfillProgress  = "jobs:backfill:progress"
	SiteBanner        = "config:site-banner"
)

// DayFormat is the layout of every day component in a key.
const DayFormat = "2006-01-02"

func Day(t time.Time) string { return t.UTC().Format(DayFormat) }

func Hold(restaurantID string, tableID int, slot time.Time) string {
	return fmt.Sprintf("hold:%s:%s:t%03d:%s", restaurantID, Day(slot), tableID, slot.UTC().Format("1504"))
}

func HoldPrefix(restaurantID, day string) string {
	return fmt.Sprintf("hold:%s:%s:", restaurantID, day)
}

func HoldIndex(restaurantID, day string) string {
	return fmt.Sprintf("holdidx:%s:%s", restaurantID, day)
}

func Availability(restaurantID, day string) string {
	return fmt.Sprintf("avail:%s:%s", restaurantID, day)
}

func TableAvailability(restaurantID string, tableID int, day string) string {
	return fmt.Sprintf("avail:%s:t%03d:%s", restaurantID, tableID, day)
}

func AvailabilityUpdatedAt(restaurantID string) string {
	return fmt.Sprintf("avail:%s:updated-at", restaurantID)
}

func Waitlist(restaurantID, day string) string {
	return fmt.Sprintf("waitlist:%s:%s", restaurantID, day)
}

func WaitlistEntry(restaurantID, entryID string) string {
	return fmt.Sprintf("wl:%s:%s", restaurantID, entryID)
}

func SMSCode(entryID string) string { return "smscode:" + entryID }

func SMSAttempts(phone string) string { return fmt.Sprintf("sms:attempts:%s", phone) }

func HostSession(restaurantID, staffID, sessionID string) string {
	return fmt.Sprintf("hostsess:%s:%s:%s", restaurantID, staffID, sessionID)
}

func HostSessionsOf(restaurantID, staffID string) string {
	return fmt.Sprintf("hostsess:%s:%s:", restaurantID, staffID)
}

func LoginAttempts(ip string) string { return "attempts:login:" + ip }

func StaffLockout(restaurantID, staffID string) string {
	return fmt.Sprintf("lockout:attempts:%s:%s", restaurantID, staffID)
}

func Menu(restaurantID, locale string) string {
	return fmt.Sprintf("menu:%s:%s", restaurantID, locale)
}

func MenuChangelog(restaurantID string) string { return fmt.Sprintf("menulog:%s", restaurantID) }

func Hours(restaurantID string) string { return fmt.Sprintf("hours:%s", restaurantID) }

func Closures(restaurantID string, year int) string {
	return fmt.Sprintf("closures:%s:%04d", restaurantID, year)
}

func NoShowCount(guestID string) string { return PrefixNoShow + guestID }

func Deposit(restaurantID, depositID string) string {
	return fmt.Sprintf("deposit:%s:%s", restaurantID, depositID)
}

func ConfirmationCode(code string) string { return "confirm:" + code }

func GuestProfile(guestID string) string { return PrefixGuest + guestID }

func Cart(guestID string) string { return "cart:" + guestID }

func OAuthState(state string) string { return "oauth:state:" + state }

func POSRefreshToken(restaurantID, tokenID string) string {
	return fmt.Sprintf("pos:refresh:%s:%s", restaurantID, tokenID)
}

func Translation(locale, source string) string {
	return fmt.Sprintf("i18n:%s:%s", locale, source)
}
