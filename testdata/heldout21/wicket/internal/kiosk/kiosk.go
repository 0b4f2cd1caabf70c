// Package kiosk tracks the self-service kiosks in every branch: their
// heartbeats, status, and registration.
package kiosk

import (
	"errors"
	"regexp"
	"time"
)

// ID is the asset tag of a kiosk, e.g. "CEN-K07".
type ID string

var idRe = regexp.MustCompile(`^[A-Z]{3}-K[0-9]{2}$`)

var ErrBadID = errors.New("kiosk: malformed asset tag")

func NewID(s string) (ID, error) {
	if !idRe.MatchString(s) {
		return "", ErrBadID
	}
	return ID(s), nil
}

// Branch is the first three letters of the tag.
func (id ID) Branch() string { return string(id[:3]) }

// Beat is one heartbeat sent by a kiosk every thirty seconds.
type Beat struct {
	Kiosk      ID        `json:"kiosk"`
	At         time.Time `json:"at"`
	Printer    string    `json:"printer"`
	RFIDPad    bool      `json:"rfidPad"`
	PaperLevel int       `json:"paperLevel"`
}

// Healthy is the rule the status board uses.
func (b Beat) Healthy() bool {
	return b.RFIDPad && b.Printer == "ok" && b.PaperLevel > 10
}

// Info is the registration record of a kiosk.
type Info struct {
	ID         ID        `json:"id"`
	Name       string    `json:"name"`
	Registered time.Time `json:"registered"`
}
