// Package slots has a record kept until its slot starts, and one kept
// for at least a minute past its deadline.
package slots

import "time"

type Slot struct {
	ID    string
	Start time.Time
}

func (s Slot) Key() string { return "slot:" + s.ID }

// TTL keeps the slot until it starts.
func (s Slot) TTL() time.Duration {
	return time.Until(s.Start)
}

type Offer struct {
	ID       string
	Deadline time.Time
}

func (o Offer) Key() string { return "offer:" + o.ID }

func (o Offer) TTL() time.Duration { return max(time.Until(o.Deadline), time.Minute) }
