// Package holds keeps a slot reserved for a patient while they finish
// booking, so two patients are not sent to checkout for the same slot.
package holds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/clinic/internal/config"
	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
)

var ErrSlotTaken = errors.New("holds: slot already held")

type Hold struct {
	SlotID    string    `json:"slot_id"`
	PatientID string    `json:"patient_id"`
	Until     time.Time `json:"until"`
}

// Slot is the subset of an appointment slot the hold service needs.
type Slot struct {
	ID       string
	ClinicID string
	Start    time.Time
}

type write struct {
	key string
	val []byte
}

type Service struct {
	store  kvstore.Store
	cfg    config.HoldConfig
	log    *slog.Logger
	writes chan write
}

func New(store kvstore.Store, cfg config.HoldConfig, log *slog.Logger) *Service {
	return &Service{store: store, cfg: cfg, log: log, writes: make(chan write, cfg.WriterBuffer)}
}

// Place holds slot for patient, or fails with ErrSlotTaken.
func (s *Service) Place(ctx context.Context, slotID, patientID string) (Hold, error) {
	key := keys.HoldPrefix + slotID
	if _, err := s.store.Get(ctx, key); err == nil {
		return Hold{}, ErrSlotTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Hold{}, fmt.Errorf("holds: check %s: %w", slotID, err)
	}
	h := Hold{SlotID: slotID, PatientID: patientID, Until: time.Now().Add(s.cfg.TTL)}
	b, _ := json.Marshal(h)
	if err := s.store.Put(ctx, key, b, kvstore.WithTTL(s.cfg.TTL)); err != nil { // EXPECT kvrace
		return Hold{}, err
	}
	return h, nil
}

// Reserve keeps a deposit-paid slot held until shortly before the visit,
// when the front desk takes over.
func (s *Service) Reserve(ctx context.Context, slot Slot, patientID string) error {
	h := Hold{SlotID: slot.ID, PatientID: patientID, Until: slot.Start.Add(-10 * time.Minute)}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.HoldPrefix+"deposit:"+slot.ID, b, kvstore.WithTTL(time.Until(slot.Start.Add(-10*time.Minute)))) // EXPECT kvttl
}

// Enqueue hands a hold snapshot to the background writer; the booking
// widget uses it for its "n people are looking at this slot" hint.
func (s *Service) Enqueue(h Hold) {
	b, _ := json.Marshal(h)
	select {
	case s.writes <- write{key: "holdview:" + h.SlotID + ":" + h.PatientID, val: b}:
	default:
		s.log.Warn("hold writer queue full", "slot", h.SlotID)
	}
}

// RunWriter drains the queue until ctx is done.
func (s *Service) RunWriter(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-s.writes:
			if err := s.store.Put(ctx, w.key, w.val, kvstore.WithTTL(10*time.Minute)); err != nil {
				s.log.Error("hold view write", "key", w.key, "err", err)
				continue
			}
			_ = s.store.Put(ctx, "holds:writer:heartbeat", []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey
		}
	}
}
