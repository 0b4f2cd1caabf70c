package bookings

import (
	"time"

	"example.com/grebe/internal/domain"
)

// policy is what each kind of resource allows.
type policy struct {
	hold      time.Duration // how long an unconfirmed booking holds the slot
	maxAhead  time.Duration // how far ahead it can be booked
	slot      time.Duration // booking granularity
	needsCode bool          // whether the booking comes with a door code
}

var policies = map[domain.BookingKind]policy{
	domain.KindDesk:  {hold: 15 * time.Minute, maxAhead: 14 * 24 * time.Hour, slot: time.Hour, needsCode: true},
	domain.KindRoom:  {hold: 20 * time.Second, maxAhead: 60 * 24 * time.Hour, slot: 30 * time.Minute}, // EXPECT kvttl
	domain.KindPhone: {hold: 2 * time.Minute, maxAhead: 24 * time.Hour, slot: 15 * time.Minute},
}

func policyFor(k domain.BookingKind) (policy, bool) {
	p, ok := policies[k]
	return p, ok
}

// slots splits [start, end) into the policy's slot starts.
func (p policy) slots(start, end time.Time) []time.Time {
	var out []time.Time
	for t := start.Truncate(p.slot); t.Before(end); t = t.Add(p.slot) {
		out = append(out, t)
	}
	return out
}
