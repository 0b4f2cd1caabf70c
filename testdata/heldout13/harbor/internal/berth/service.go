package berth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/harbor/internal/codec"
	"example.com/harbor/internal/policy"
	"example.com/harbor/internal/storage"
)

// ErrNotFound is returned for unknown bookings.
var ErrNotFound = errors.New("berth: booking not found")

// Service stores bookings in the main namespace.
type Service struct {
	st   storage.Store
	log  *slog.Logger
	now  func() time.Time
	lock policy.Policy
	hold policy.Policy
}

// NewService returns a booking service.
func NewService(st storage.Store, log *slog.Logger) *Service {
	return &Service{
		st:   st,
		log:  log.With("component", "berth"),
		now:  time.Now,
		lock: policy.For("berth-lock"),
		hold: policy.For("berth-hold"),
	}
}

func bookingKey(id string) string { return "booking:" + id }

func indexKey(berth string, day time.Time, id string) string {
	return fmt.Sprintf("berthidx:%s:%s:%s", berth, day.UTC().Format("2006-01-02"), id)
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Request creates a booking in the Requested state.
func (s *Service) Request(ctx context.Context, req Request) (Booking, error) {
	if err := req.Validate(); err != nil {
		return Booking{}, err
	}
	now := s.now().UTC()
	b := Booking{ID: newID(), VesselIMO: req.VesselIMO, Berth: req.Berth, Operator: req.Operator, Status: Requested,
		ETA: req.ETA, ETD: req.ETD, History: []Change{{To: Requested, By: req.Operator, At: now}}, UpdatedAt: now}
	if err := codec.Save(ctx, s.st, bookingKey(b.ID), b, 0); err != nil {
		return Booking{}, err
	}
	// The index entry carries what the schedule view needs in metadata so
	// listing a berth's day does not require reading every booking.
	meta := map[string]any{"imo": b.VesselIMO, "eta": b.ETA.Unix(), "etd": b.ETD.Unix()}
	idxTTL := max(time.Until(b.ETD)+24*time.Hour, time.Hour)
	if err := s.st.Put(ctx, indexKey(b.Berth, b.ETA, b.ID), nil, storage.WithMetadata(meta), storage.WithTTL(idxTTL)); err != nil {
		s.log.Warn("index write failed", "booking", b.ID, "err", err)
	}
	return b, nil
}

// Get returns a booking.
func (s *Service) Get(ctx context.Context, id string) (Booking, error) {
	b, ok, err := codec.Load[Booking](ctx, s.st, bookingKey(id))
	if err != nil {
		return Booking{}, err
	}
	if !ok {
		return Booking{}, ErrNotFound
	}
	return b, nil
}

// Hold reserves the booking's slot until the given time while the operator
// completes paperwork.
func (s *Service) Hold(ctx context.Context, id string, until time.Time) error {
	if !until.After(s.now()) {
		return &ValidationError{"until", "must be in the future"}
	}
	return s.st.Put(ctx, s.hold.Key(id), []byte(until.UTC().Format(time.RFC3339)), storage.WithTTL(time.Until(until))) // EXPECT kvttl
}

// Transition moves a booking to a new status if the transition table allows it.
func (s *Service) Transition(ctx context.Context, id string, to Status, actor, notes string) (Booking, error) {
	key := bookingKey(id)
	b, ok, err := codec.Load[Booking](ctx, s.st, key)
	if err != nil {
		return Booking{}, err
	}
	if !ok {
		return Booking{}, ErrNotFound
	}
	if !CanTransition(b.Status, to) {
		return b, &TransitionError{ID: id, From: b.Status, To: to}
	}
	now := s.now().UTC()
	b.History = append(b.History, Change{From: b.Status, To: to, By: actor, At: now, Notes: notes})
	b.Status, b.UpdatedAt = to, now
	if err := codec.Save(ctx, s.st, key, b, 0); err != nil { // EXPECT kvrace
		return Booking{}, err
	}
	s.log.Info("booking transition", "booking", id, "to", to, "by", actor)
	return b, nil
}

// Lock claims exclusive planning rights on a berth for owner.
func (s *Service) Lock(ctx context.Context, berth, owner string) error {
	key := s.lock.Key(berth)
	cur, err := s.st.Get(ctx, key)
	switch {
	case err == nil:
		if string(cur) != owner {
			return &ConflictError{Berth: berth, Owner: string(cur)}
		}
	case !storage.IsNotFound(err):
		return err
	}
	return s.st.Put(ctx, key, []byte(owner), storage.WithTTL(s.lock.TTL)) // EXPECT kvrace
}

// Schedule returns one page of a berth's bookings for a day, with the cursor
// for the next page.
func (s *Service) Schedule(ctx context.Context, berth string, day time.Time, cursor string) ([]ScheduleEntry, string, error) {
	prefix := fmt.Sprintf("berthidx:%s:%s:", berth, day.UTC().Format("2006-01-02"))
	page, err := storage.Scan(s.st).Prefix(prefix).Limit(100).After(cursor).First(ctx)
	if err != nil {
		return nil, "", err
	}
	out := make([]ScheduleEntry, 0, len(page.Keys))
	for _, k := range page.Keys {
		imo, _ := k.Metadata["imo"].(string)
		eta, _ := k.Metadata["eta"].(float64)
		etd, _ := k.Metadata["etd"].(float64)
		out = append(out, ScheduleEntry{k.Name[len(prefix):], imo, time.Unix(int64(eta), 0).UTC(), time.Unix(int64(etd), 0).UTC()})
	}
	return out, page.Cursor, nil
}

// ScheduleEntry is one row of a berth schedule.
type ScheduleEntry struct {
	BookingID string    `json:"booking_id"`
	VesselIMO string    `json:"vessel_imo"`
	ETA       time.Time `json:"eta"`
	ETD       time.Time `json:"etd"`
}
