// Package domain holds the practice's core records as they are exchanged
// between the edge worker and the back-office services.
package domain

import (
	"errors"
	"time"
)

// Errors shared by the services.
var (
	ErrNotFound     = errors.New("not found")
	ErrSlotTaken    = errors.New("slot already booked")
	ErrExpired      = errors.New("expired")
	ErrBadCode      = errors.New("verification code does not match")
	ErrLockedOut    = errors.New("too many attempts")
	ErrQuota        = errors.New("refill quota reached for this month")
	ErrUnauthorized = errors.New("unauthorized")
)

// VisitVideo is the kind of a telehealth video visit.
const VisitVideo = "video"

// Appointment is a booked visit.
type Appointment struct {
	ID          string    `json:"id"`
	PatientID   string    `json:"patient_id"`
	ClinicianID string    `json:"clinician_id"`
	Kind        string    `json:"kind"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Reason      string    `json:"reason,omitempty"`
	Reminded    bool      `json:"reminded,omitempty"`
}

// Slot is a bookable interval of a clinician's schedule.
type Slot struct {
	ClinicianID string    `json:"clinician_id"`
	Start       time.Time `json:"start"`
	Minutes     int       `json:"minutes"`
}

// End is when the slot ends.
func (s Slot) End() time.Time { return s.Start.Add(time.Duration(s.Minutes) * time.Minute) }

// Block is a recurring working block in a clinician's week.
type Block struct {
	Weekday time.Weekday `json:"weekday"`
	From    string       `json:"from"` // "09:00"
	To      string       `json:"to"`   // "12:30"
	Kinds   []string     `json:"kinds"`
}

// Schedule is a clinician's published working pattern.
type Schedule struct {
	ClinicianID string    `json:"clinician_id"`
	TimeZone    string    `json:"tz"`
	Blocks      []Block   `json:"blocks"`
	Updated     time.Time `json:"updated"`
}

// Session is a patient portal session.
type Session struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	Device    string    `json:"device,omitempty"`
	MFA       bool      `json:"mfa"`
}

// JoinToken admits one participant to a video visit.
type JoinToken struct {
	Token     string    `json:"token"`
	VisitID   string    `json:"visit_id"`
	Role      string    `json:"role"` // "patient" or "host"
	NotBefore time.Time `json:"nbf"`
	Used      bool      `json:"used,omitempty"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// RefillRequest is a patient's request to renew a prescription.
type RefillRequest struct {
	ID           string    `json:"id"`
	PatientID    string    `json:"patient_id"`
	Medication   string    `json:"medication"`
	Pharmacy     string    `json:"pharmacy"`
	Submitted    time.Time `json:"submitted"`
	Status       string    `json:"status"`
	ReviewerNote string    `json:"reviewer_note,omitempty"`
}

// Refill statuses.
const (
	RefillPending  = "pending"
	RefillApproved = "approved"
	RefillDenied   = "denied"
	RefillFilled   = "filled"
)

// RefillQueue is the list of open refill requests of one patient.
type RefillQueue struct {
	PatientID string          `json:"patient_id"`
	Requests  []RefillRequest `json:"requests"`
}

// VisitSummary is the after-visit summary shared with the patient.
type VisitSummary struct {
	VisitID     string    `json:"visit_id"`
	PatientID   string    `json:"patient_id"`
	ClinicianID string    `json:"clinician_id"`
	Signed      time.Time `json:"signed"`
	Diagnoses   []string  `json:"diagnoses"`
	Plan        string    `json:"plan"`
	Body        string    `json:"body"`
	Addenda     []string  `json:"addenda,omitempty"`
}

// Preferences are a patient's portal preferences.
type Preferences struct {
	Language      string   `json:"language"`
	ReminderHours int      `json:"reminder_hours"`
	Channels      []string `json:"channels"`
	LargeText     bool     `json:"large_text"`
}
