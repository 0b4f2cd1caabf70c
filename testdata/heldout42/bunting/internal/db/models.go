package db

import "time"

// SlotHold reserves an appointment slot while a patient completes intake.
type SlotHold struct {
	ClinicianID string    `json:"clinician_id"`
	SlotStart   time.Time `json:"slot_start"`
	PatientID   string    `json:"patient_id"`
	HeldAt      time.Time `json:"held_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Status      string    `json:"status"`
}

// RefillRecord is the refill history of one prescription.
type RefillRecord struct {
	PrescriptionID string      `json:"prescription_id"`
	Requests       []RefillReq `json:"requests"`
}

// RefillReq is one refill request.
type RefillReq struct {
	At         time.Time `json:"at"`
	PharmacyID string    `json:"pharmacy_id"`
	Quantity   int       `json:"quantity"`
}

// AuditEvent is one access to a patient chart.
type AuditEvent struct {
	At      time.Time `json:"at"`
	ActorID string    `json:"actor_id"`
	Action  string    `json:"action"`
}

// ClinicianProfile is the cached public profile of a clinician.
type ClinicianProfile struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name"`
	Specialties []string `json:"specialties"`
	Slug        string   `json:"slug"`
}
