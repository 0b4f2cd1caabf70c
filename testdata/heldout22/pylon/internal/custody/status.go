// Package custody tracks a sample's chain of custody: an append-only event
// log per sample, the sample's current status, and a projected read model.
package custody

import (
	"fmt"
	"strings"
)

// Status is where a sample is in its life.
type Status int

const (
	StatusCollected Status = iota + 1
	StatusInTransit
	StatusReceived
	StatusAccessioned
	StatusStored
	StatusAnalyzed
	StatusDisposed
	StatusRejected
)

var statusNames = map[Status]string{
	StatusCollected:   "collected",
	StatusInTransit:   "in_transit",
	StatusReceived:    "received",
	StatusAccessioned: "accessioned",
	StatusStored:      "stored",
	StatusAnalyzed:    "analyzed",
	StatusDisposed:    "disposed",
	StatusRejected:    "rejected",
}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// ParseStatus is the inverse of String.
func ParseStatus(s string) (Status, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for st, n := range statusNames {
		if n == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("custody: unknown status %q", s)
}

// transitions lists the statuses reachable from each status. Terminal
// statuses have no entry.
var transitions = map[Status][]Status{
	StatusCollected:   {StatusInTransit, StatusRejected},
	StatusInTransit:   {StatusReceived, StatusRejected},
	StatusReceived:    {StatusAccessioned, StatusRejected},
	StatusAccessioned: {StatusStored, StatusAnalyzed, StatusRejected},
	StatusStored:      {StatusAnalyzed, StatusDisposed},
	StatusAnalyzed:    {StatusStored, StatusDisposed},
}

// CanMoveTo reports whether next is a legal successor of s.
func (s Status) CanMoveTo(next Status) bool {
	for _, n := range transitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// ErrIllegalTransition is returned for moves the table does not allow.
type ErrIllegalTransition struct {
	From, To Status
}

func (e ErrIllegalTransition) Error() string {
	return fmt.Sprintf("custody: cannot move sample from %s to %s", e.From, e.To)
}
