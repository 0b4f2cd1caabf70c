// Package enums holds the closed sets of values that choose key prefixes and
// record lifetimes across the service.
package enums

import "time"

//go:generate go run github.com/dmarkham/enumer -type=RefillStatus -trimprefix=Refill -transform=snake
//go:generate go run golang.org/x/tools/cmd/stringer -type=Channel -trimprefix=Channel

// RefillStatus is the life-cycle state of a refill request.
type RefillStatus int

const (
	RefillPending RefillStatus = iota
	RefillInReview
	RefillReady
	RefillPickedUp
	RefillCancelled
)

// Retention is how long a refill record in this state stays in KV. Records
// waiting on the pharmacy live for a month; finished ones are kept just long
// enough for the patient app to show the final state.
func (s RefillStatus) Retention() time.Duration {
	switch s {
	case RefillPending, RefillInReview:
		return 30 * 24 * time.Hour
	case RefillReady:
		return 10 * 24 * time.Hour
	case RefillPickedUp:
		return 24 * time.Hour
	case RefillCancelled:
		return 45 * time.Second
	}
	return time.Hour
}

// Terminal reports whether no further transitions are possible.
func (s RefillStatus) Terminal() bool {
	return s == RefillPickedUp || s == RefillCancelled
}

// Channel is how a patient is told that a refill or a restock is ready.
type Channel uint8

const (
	ChannelSMS Channel = iota + 1
	ChannelEmail
	ChannelPush
)

// DedupePrefix is the key prefix under which sends on this channel are
// remembered so that a patient is not notified twice.
func (c Channel) DedupePrefix() string {
	return "dedupe:" + c.String() + ":"
}

// ParseChannel maps the stored name back to a Channel.
func ParseChannel(s string) (Channel, bool) {
	for c := ChannelSMS; c <= ChannelPush; c++ {
		if c.String() == s {
			return c, true
		}
	}
	return 0, false
}
