// Package appointments manages slot holds, bookings and clinician
// availability.
package appointments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"bunting/internal/db"
	"bunting/internal/kvstore"
)

// ErrSlotTaken is returned when another patient holds the slot.
var ErrSlotTaken = errors.New("appointments: slot already held")

// Service books appointments.
type Service struct {
	q       *db.Queries
	holds   *db.Queries
	log     *slog.Logger
	onLapse func(h db.SlotHold)
}

// NewService builds the service. holdsKV is the namespace for slot holds.
func NewService(q *db.Queries, holdsKV *kvstore.Store, log *slog.Logger) *Service {
	return &Service{q: q, holds: q.WithNamespace(holdsKV), log: log}
}

// HoldSlot reserves a slot for a patient while they fill in the intake form.
func (s *Service) HoldSlot(ctx context.Context, clinicianID string, slot time.Time, patientID string) (db.SlotHold, error) {
	existing, err := s.holds.GetSlotHold(ctx, clinicianID, slot)
	switch {
	case err == nil && existing.PatientID != patientID:
		return existing, ErrSlotTaken
	case err == nil:
		return existing, nil
	case !errors.Is(err, kvstore.ErrNotFound):
		return db.SlotHold{}, err
	}
	h, err := s.holds.CreateSlotHold(ctx, db.CreateSlotHoldParams{ // EXPECT kvrace
		ClinicianID: clinicianID,
		SlotStart:   slot,
		PatientID:   patientID,
	})
	if err != nil {
		return h, err
	}
	s.scheduleLapse(h)
	return h, nil
}

// scheduleLapse marks the hold as lapsed shortly before KV expires it, so
// the waitlist notifier sees the change.
func (s *Service) scheduleLapse(h db.SlotHold) {
	time.AfterFunc(time.Until(h.ExpiresAt)-time.Minute, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cur, err := s.holds.GetSlotHold(ctx, h.ClinicianID, h.SlotStart)
		if err != nil || cur.Status != "held" {
			return
		}
		cur.Status = "lapsed"
		if err := s.holds.UpdateSlotHold(ctx, cur, 2*time.Minute); err != nil { // EXPECT kvrace
			s.log.Warn("lapse hold", "err", err)
			return
		}
		if s.onLapse != nil {
			s.onLapse(cur)
		}
	})
}

// ExtendHold gives the patient more time when the intake form is still open.
func (s *Service) ExtendHold(ctx context.Context, clinicianID string, slot time.Time, patientID string, extra time.Duration) error {
	h, err := s.holds.GetSlotHold(ctx, clinicianID, slot)
	if err != nil {
		return err
	}
	if h.PatientID != patientID {
		return ErrSlotTaken
	}
	h.ExpiresAt = h.ExpiresAt.Add(extra)
	ttl := max(time.Until(h.ExpiresAt), 10*time.Second) // EXPECT kvttl
	return s.holds.UpdateSlotHold(ctx, h, ttl)          // EXPECT kvrace
}

// ReleaseHold frees a slot when the patient abandons intake.
func (s *Service) ReleaseHold(ctx context.Context, clinicianID string, slot time.Time) error {
	return s.holds.DeleteSlotHold(ctx, clinicianID, slot)
}

// Profile returns a clinician's public profile, filling the cache from the
// directory on a miss.
func (s *Service) Profile(ctx context.Context, clinicianID string, fetch func(context.Context, string) (db.ClinicianProfile, error)) (db.ClinicianProfile, error) {
	p, err := s.q.GetClinicianProfile(ctx, clinicianID)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return p, err
	}
	p, err = fetch(ctx, clinicianID)
	if err != nil {
		return p, fmt.Errorf("directory: %w", err)
	}
	if err := s.q.CacheClinicianProfile(ctx, p); err != nil {
		s.log.Warn("cache profile", "clinician", clinicianID, "err", err)
	}
	return p, nil
}

// ClaimSlug gives a clinician a vanity booking URL such as /book/dr-okafor.
func (s *Service) ClaimSlug(ctx context.Context, clinicianID, slug string) error {
	owner, err := s.q.GetSlugOwner(ctx, slug)
	if err == nil && owner != clinicianID {
		return fmt.Errorf("slug %q is taken", slug)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.q.SetSlugOwner(ctx, slug, clinicianID) // EXPECT kvrace
}
