// Package bookings takes seat reservations for pottery classes: holds while
// the student pays, confirmed bookings and the per-class roster.
package bookings

import (
	"time"
)

// Class is one scheduled session of a course.
type Class struct {
	ID           string    `json:"id"`
	StudioID     string    `json:"studio_id"`
	InstructorID string    `json:"instructor_id"`
	Title        string    `json:"title"`
	Start        time.Time `json:"start"`
	Capacity     int       `json:"capacity"`
	PriceCents   int64     `json:"price_cents"`
}

// Hold reserves a seat while the student checks out.
type Hold struct {
	ID        string    `json:"id"`
	ClassID   string    `json:"class_id"`
	StudentID string    `json:"student_id"`
	Seats     int       `json:"seats"`
	CreatedAt time.Time `json:"created_at"`
}

// Booking is a paid reservation.
type Booking struct {
	ID        string    `json:"id"`
	ClassID   string    `json:"class_id"`
	StudioID  string    `json:"studio_id"`
	StudentID string    `json:"student_id"`
	Seats     int       `json:"seats"`
	PaidCents int64     `json:"paid_cents"`
	CreatedAt time.Time `json:"created_at"`
}

// Roster lists who is coming to a class.
type Roster struct {
	ClassID  string   `json:"class_id"`
	Bookings []string `json:"bookings"`
	Seats    int      `json:"seats"`
}

// Checkout is the hand-off record the payment page reads back.
type Checkout struct {
	HoldID      string `json:"hold_id"`
	AmountCents int64  `json:"amount_cents"`
	ReturnURL   string `json:"return_url"`
}

func holdKey(id string) string            { return "hold:" + id }
func checkoutKey(id string) string        { return "checkout:" + id }
func rosterKey(classID string) string     { return "roster:" + classID }
func bookingKey(studio, id string) string { return "booking:" + studio + ":" + id }
