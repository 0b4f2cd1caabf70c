// Package bookings confirms appointments and keeps the per-day index the
// clinic calendar reads.
package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/repo"
)

var ErrDepositRequired = errors.New("bookings: deposit required")

type Booking struct {
	ID        string    `json:"id"`
	ClinicID  string    `json:"clinic_id"`
	SlotID    string    `json:"slot_id"`
	PatientID string    `json:"patient_id"`
	At        time.Time `json:"at"`
	Status    string    `json:"status"`
}

func (b Booking) Key() string { return b.ID }

type DraftItem struct {
	Service  string `json:"service"`
	Minutes  int    `json:"minutes"`
	Provider string `json:"provider,omitempty"`
}

// Draft is the patient's in-progress booking (services picked so far).
type Draft struct {
	Items []DraftItem `json:"items"`
}

type Prefs struct {
	Channel  string `json:"channel"`
	Language string `json:"language"`
}

// DepositChecker is satisfied by noshow.Tracker.
type DepositChecker interface {
	DepositRequired(ctx context.Context, patientID string, forgiven int) bool
}

type (
	saveFunc func(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error
	loadFunc func(ctx context.Context, key string) ([]byte, error)
)

type Service struct {
	store    kvstore.Store
	bookings *repo.Repo[Booking]
	save     saveFunc
	load     loadFunc
	deposits DepositChecker
}

func New(store kvstore.Store, deposits DepositChecker) *Service {
	return &Service{
		store:    store,
		bookings: repo.New[Booking](store, keys.BookingPrefix),
		save:     store.Put,
		load:     store.Get,
		deposits: deposits,
	}
}

// Confirm stores a new booking and adds it to the clinic's day index.
func (s *Service) Confirm(ctx context.Context, b Booking, depositPaid bool) error {
	if !depositPaid && s.deposits.DepositRequired(ctx, b.PatientID, 0) {
		return ErrDepositRequired
	}
	b.Status = "confirmed"
	if err := s.bookings.Save(ctx, b); err != nil {
		return fmt.Errorf("bookings: save %s: %w", b.ID, err)
	}
	return s.indexDay(ctx, b)
}

func (s *Service) indexDay(ctx context.Context, b Booking) error {
	key := fmt.Sprintf("day:%s:%s", b.ClinicID, b.At.Format("2006-01-02"))
	var ids []string
	raw, err := s.load(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	ids = append(ids, b.ID)
	enc, _ := json.Marshal(ids)
	return s.save(ctx, key, enc) // EXPECT kvrace
}

func (s *Service) Get(ctx context.Context, id string) (Booking, error) {
	return s.bookings.Get(ctx, id)
}

// AddToDraft adds a service to the patient's draft booking.
func (s *Service) AddToDraft(ctx context.Context, sessionID string, item DraftItem) (Draft, error) {
	key := keys.DraftPrefix + sessionID
	d, err := repo.GetJSON[Draft](ctx, s.store, key)
	if err != nil && !repo.IsMissing(err) {
		return Draft{}, err
	}
	d.Items = append(d.Items, item)
	if err := repo.PutJSON(ctx, s.store, key, d, kvstore.WithTTL(2*time.Hour)); err != nil { // EXPECT kvsession
		return Draft{}, err
	}
	return d, nil
}

// PrefsFor returns the patient's notification preferences, saving the
// clinic default the first time.
func (s *Service) PrefsFor(ctx context.Context, patientID string) (Prefs, error) {
	key := "prefs:" + patientID
	raw, err := s.load(ctx, key) // EXPECT kvnull
	if err != nil {
		p := Prefs{Channel: "sms", Language: "en"}
		b, _ := json.Marshal(p)
		return p, s.save(ctx, key, b)
	}
	var p Prefs
	err = json.Unmarshal(raw, &p)
	return p, err
}

// SetPrefs is called from the settings page.
func (s *Service) SetPrefs(ctx context.Context, patientID string, p Prefs) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.save(ctx, "prefs:"+patientID, b)
}
