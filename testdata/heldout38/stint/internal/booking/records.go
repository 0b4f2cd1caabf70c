// Package booking holds the appointment domain: slots, holds, appointments,
// reminders and the events the platform emits about them.
package booking

import (
	"fmt"
	"time"
)

// now is swapped by tests.
var now = time.Now

// Slot is one bookable interval in a doctor's calendar, published to the edge
// so that the availability page does not have to reach the calendar backend.
type Slot struct {
	ClinicID string    `json:"clinic"`
	DoctorID string    `json:"doctor"`
	Start    time.Time `json:"start"`
	Length   int       `json:"len_min"`
	Free     bool      `json:"free"`
}

// Key places slots under the clinic and doctor so a prefix list finds a day.
func (s Slot) Key() string {
	return fmt.Sprintf("slot:%s:%s:%s", s.ClinicID, s.DoctorID, s.Start.UTC().Format("20060102T1504"))
}

// TTL keeps the slot until it starts; past slots are of no interest.
func (s Slot) TTL() time.Duration {
	return time.Until(s.Start) // EXPECT kvttl
}

// Hold reserves a slot for a patient while they fill in the booking form.
type Hold struct {
	SlotKey   string    `json:"slot"`
	PatientID string    `json:"patient"`
	Until     time.Time `json:"until"`
}

// Key is derived from the slot: at most one hold per slot.
func (h Hold) Key() string { return "hold:" + h.SlotKey }

// TTL lasts until the hold runs out, but never less than KV accepts.
func (h Hold) TTL() time.Duration {
	d := h.Until.Sub(now())
	if d < time.Minute {
		d = time.Minute
	}
	return d
}

// Appointment is a confirmed booking.
type Appointment struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient"`
	SlotKey   string    `json:"slot"`
	Start     time.Time `json:"start"`
	Status    string    `json:"status"`
	Created   time.Time `json:"created"`
}

// Key of an appointment record.
func (a Appointment) Key() string { return "appt:" + a.ID }

// TTL keeps appointments for the portal's history view.
func (a Appointment) TTL() time.Duration { return 180 * 24 * time.Hour }

// Reminder is a scheduled SMS about an appointment.
type Reminder struct {
	AppointmentID string    `json:"appt"`
	Phone         string    `json:"phone"`
	SendAt        time.Time `json:"send_at"`
	Template      string    `json:"tmpl"`
}

// Key of a reminder.
func (r Reminder) Key() string { return "reminder:" + r.AppointmentID }

// TTL keeps the reminder two days past its send time so delivery receipts can
// still be matched.
func (r Reminder) TTL() time.Duration {
	d := r.SendAt.Sub(now()) + 48*time.Hour
	if d < time.Hour {
		d = time.Hour
	}
	return d
}

// DayDigest is the rendered availability of one clinic for one day.
type DayDigest struct {
	ClinicID string    `json:"clinic"`
	Day      string    `json:"day"`
	Slots    []Slot    `json:"slots"`
	Built    time.Time `json:"built"`
	// Until is when the calendar backend said the digest goes stale.
	Until time.Time `json:"until"`
}

// Key of a digest.
func (d DayDigest) Key() string { return "digest:" + d.ClinicID + ":" + d.Day }

// TTL follows the backend's staleness hint.
func (d DayDigest) TTL() time.Duration {
	return d.Until.Sub(d.Built) // EXPECT kvttl
}
