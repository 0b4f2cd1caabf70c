package booking

import "time"

// Event is anything that happened to a booking. The concrete types below are
// the only implementations.
type Event interface {
	EventID() string
	isEvent()
}

// SlotBooked is emitted when an appointment is confirmed.
type SlotBooked struct {
	ID          string
	Appointment Appointment
}

// SlotReleased is emitted when a patient cancels or a hold lapses.
type SlotReleased struct {
	ID      string
	SlotKey string
	Reason  string
}

// ReminderSent is emitted by the SMS gateway callback.
type ReminderSent struct {
	ID            string
	ClinicID      string
	AppointmentID string
	At            time.Time
}

// PatientOptedOut is emitted when a patient replies STOP.
type PatientOptedOut struct {
	ID        string
	PatientID string
	Phone     string
}

// RosterChanged is emitted when a clinic changes which doctors it lists.
type RosterChanged struct {
	ID       string
	ClinicID string
	Doctors  []string
}

func (e SlotBooked) EventID() string      { return e.ID }
func (e SlotReleased) EventID() string    { return e.ID }
func (e ReminderSent) EventID() string    { return e.ID }
func (e PatientOptedOut) EventID() string { return e.ID }
func (e RosterChanged) EventID() string   { return e.ID }

func (SlotBooked) isEvent()      {}
func (SlotReleased) isEvent()    {}
func (ReminderSent) isEvent()    {}
func (PatientOptedOut) isEvent() {}
func (RosterChanged) isEvent()   {}
