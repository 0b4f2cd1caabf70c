// Package keys builds the storage keys Saffron uses. Every key type renders
// through String so that key layouts are defined in one place.
package keys

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

const dayLayout = "20060102"

// Join builds a colon-separated key.
func Join(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Slot identifies one table at one seating time.
type Slot struct {
	Restaurant string
	Table      int
	Start      time.Time
}

// String implements fmt.Stringer: hold:<restaurant>:<yyyymmdd>:<hhmm>:t<table>.
func (s Slot) String() string {
	st := s.Start.UTC()
	return fmt.Sprintf("hold:%s:%s:%s:t%d", s.Restaurant, st.Format(dayLayout), st.Format("1504"), s.Table)
}

// HoldPrefix is the listing prefix for all holds of a restaurant on a day.
func HoldPrefix(restaurant string, day time.Time) string {
	return Join("hold", restaurant, day.UTC().Format(dayLayout)) + ":"
}

// Reservation is the key of a confirmed booking.
type Reservation string

func (r Reservation) String() string { return "reservation:" + string(r) }

// DayStamp is the key the availability widget polls for changes.
func DayStamp(restaurant string, day time.Time) string {
	return Join("availability", restaurant, day.UTC().Format(dayLayout))
}

// Member is a loyalty programme member ID.
type Member string

// Balance is the key of the balance shown on host-stand tablets.
func (m Member) Balance() string { return Join("loyalty", "balance", string(m)) }

// Tier is the key of the member's tier projection.
func (m Member) Tier() string { return Join("loyalty", "tier", string(m)) }

// MarshalText implements encoding.TextMarshaler so members can key JSON
// maps in exports.
func (m Member) MarshalText() ([]byte, error) { return []byte(m), nil }

// Waitlist returns the board key for a restaurant's walk-in waitlist.
func Waitlist(restaurant string) string { return Join("waitlist", restaurant, "board") }

// SMSQuota returns the per-day notification quota key.
func SMSQuota(restaurant string, day time.Time) string {
	return Join("sms-quota", restaurant, day.UTC().Format(dayLayout))
}

// GiftCard is a redemption code.
type GiftCard string

func (g GiftCard) String() string { return "giftcard:" + strings.ToUpper(string(g)) }

// Redemption records one use of a code against an order.
func (g GiftCard) Redemption(order string) string {
	return Join("giftcard-redemption", strings.ToUpper(string(g)), order)
}

var reviewTmpl = template.Must(template.New("review").Parse(
	"review:{{.Restaurant}}:{{.Status}}:{{.ID}}"))

// ReviewKey identifies a guest review in a moderation state.
type ReviewKey struct {
	Restaurant string
	Status     string
	ID         string
}

func (k ReviewKey) String() string {
	var b strings.Builder
	if err := reviewTmpl.Execute(&b, k); err != nil {
		return "review:invalid"
	}
	return b.String()
}

// ReviewPrefix lists reviews of a restaurant in one state.
func ReviewPrefix(restaurant, status string) string {
	return Join("review", restaurant, status) + ":"
}

// StaffSession is the key of a staff login session.
func StaffSession(id string) string { return Join("staff-session", id) }

// Cart is a guest's takeaway pre-order cart.
func Cart(session string) string { return Join("cart", session) }
