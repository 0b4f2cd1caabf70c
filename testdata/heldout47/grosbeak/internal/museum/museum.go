// Package museum holds the records shared by the Worker and the backend.
package museum

import (
	"fmt"
	"strings"
	"time"
)

// Access is a set of entry privileges printed on a QR code.
type Access uint16

const (
	AccessGeneral Access = 1 << iota
	AccessSpecialExhibit
	AccessMemberLounge
	AccessAudioGuide
	AccessStepFree
	AccessGroup

	AccessMember = AccessGeneral | AccessMemberLounge | AccessAudioGuide
)

func (a Access) Has(f Access) bool { return a&f == f }

func (a Access) String() string {
	names := []string{"general", "special", "lounge", "audio", "stepfree", "group"}
	var parts []string
	for i, n := range names {
		if a&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// Slot is one timed-entry window.
type Slot struct {
	ID        string    `json:"id"`
	Date      string    `json:"date"`
	Starts    time.Time `json:"starts"`
	Capacity  int       `json:"capacity"`
	Remaining int       `json:"remaining"`
	Access    Access    `json:"access"`
}

// Pass is a member pass.
type Pass struct {
	MemberID  string    `json:"member_id"`
	Tier      string    `json:"tier"`
	Access    Access    `json:"access"`
	ValidTo   time.Time `json:"valid_to"`
	Renewals  int       `json:"renewals"`
	GuestList []string  `json:"guests,omitempty"`
}

// Session is a signed-in member's session record.
type Session struct {
	ID       string    `json:"id"`
	MemberID string    `json:"member_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// EntryCode is the payload behind a QR entry code.
type EntryCode struct {
	Code    string    `json:"code"`
	SlotID  string    `json:"slot_id"`
	Access  Access    `json:"access"`
	Issued  time.Time `json:"issued"`
	Holder  string    `json:"holder"`
	Partial bool      `json:"partial,omitempty"`
}

// NotFoundError reports a KV key with no value.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("kv: key %q not found", e.Key) }

// StatusError is a non-2xx answer from the KV REST API.
type StatusError struct {
	Op     string
	Key    string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("kv %s %q: status %d: %s", e.Op, e.Key, e.Status, e.Body)
}
