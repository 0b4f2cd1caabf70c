package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

const holdLifetime = 10 * time.Minute

const getSlotHold = "hold:%s:%s"

// GetSlotHold returns the hold on a clinician's slot.
func (q *Queries) GetSlotHold(ctx context.Context, clinicianID string, slot time.Time) (SlotHold, error) {
	var h SlotHold
	raw, err := q.db.QueryRow(ctx, fmt.Sprintf(getSlotHold, clinicianID, slot.UTC().Format(time.RFC3339)))
	if err != nil {
		return h, err
	}
	err = json.Unmarshal(raw, &h)
	return h, err
}

const createSlotHold = "hold:%s:%s"

// CreateSlotHoldParams are the arguments of CreateSlotHold.
type CreateSlotHoldParams struct {
	ClinicianID string
	SlotStart   time.Time
	PatientID   string
}

// CreateSlotHold stores a hold for the patient.
func (q *Queries) CreateSlotHold(ctx context.Context, arg CreateSlotHoldParams) (SlotHold, error) {
	now := time.Now().UTC()
	h := SlotHold{
		ClinicianID: arg.ClinicianID,
		SlotStart:   arg.SlotStart.UTC(),
		PatientID:   arg.PatientID,
		HeldAt:      now,
		ExpiresAt:   now.Add(holdLifetime),
		Status:      "held",
	}
	raw, err := json.Marshal(h)
	if err != nil {
		return h, err
	}
	key := fmt.Sprintf(createSlotHold, arg.ClinicianID, h.SlotStart.Format(time.RFC3339))
	return h, q.db.Exec(ctx, key, raw, holdLifetime)
}

const updateSlotHold = "hold:%s:%s"

// UpdateSlotHold overwrites a hold, keeping it until ttl from now.
func (q *Queries) UpdateSlotHold(ctx context.Context, h SlotHold, ttl time.Duration) error {
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return q.db.Exec(ctx, fmt.Sprintf(updateSlotHold, h.ClinicianID, h.SlotStart.UTC().Format(time.RFC3339)), raw, ttl)
}

const deleteSlotHold = "hold:%s:%s"

// DeleteSlotHold releases a hold.
func (q *Queries) DeleteSlotHold(ctx context.Context, clinicianID string, slot time.Time) error {
	return q.db.Remove(ctx, fmt.Sprintf(deleteSlotHold, clinicianID, slot.UTC().Format(time.RFC3339)))
}
