// Package consent stores patient consent records (telehealth, recording,
// data sharing) in the consent namespace through the v3 SDK.
package consent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bunting/internal/kv3"
)

// ErrStale is returned when the record changed since the client read it.
var ErrStale = errors.New("consent: record changed, reload and retry")

// Kind names a consent form.
type Kind string

// Consent forms.
const (
	Telehealth  Kind = "telehealth"
	Recording   Kind = "recording"
	DataSharing Kind = "data-sharing"
)

// Change is one entry of a record's history.
type Change struct {
	At      time.Time `json:"at"`
	Granted bool      `json:"granted"`
	By      string    `json:"by"`
}

// Record is a patient's current answer to one consent form.
type Record struct {
	PatientID string    `json:"patient_id"`
	Kind      Kind      `json:"kind"`
	Granted   bool      `json:"granted"`
	Version   int       `json:"version"`
	History   []Change  `json:"history"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Key returns the record's key.
func (r *Record) Key() string { return fmt.Sprintf("consent:%s:%s", r.PatientID, r.Kind) }

// Store reads and writes consent records.
type Store struct {
	c  *kv3.Client
	ns kv3.Namespace
}

// NewStore returns a store for the consent namespace.
func NewStore(c *kv3.Client, ns kv3.Namespace) *Store { return &Store{c: c, ns: ns} }

// Get fills r from KV; PatientID and Kind must be set.
func (s *Store) Get(ctx context.Context, r *Record) error {
	return s.c.ReadJSON(ctx, s.ns, r.Key(), r)
}

// Update applies a patient's answer. in.Version is the version the client
// was shown; the write is refused if the stored record has moved on.
func (s *Store) Update(ctx context.Context, in Record, by string) (Record, error) {
	cur := Record{PatientID: in.PatientID, Kind: in.Kind}
	if err := s.Get(ctx, &cur); err != nil && !kv3.IsMissing(err) {
		return cur, err
	}
	if cur.Version != in.Version {
		return cur, ErrStale
	}
	now := time.Now().UTC()
	cur.Granted = in.Granted
	cur.Version++
	cur.History = append(cur.History, Change{At: now, Granted: in.Granted, By: by})
	cur.UpdatedAt = now
	return cur, s.c.WriteJSON(ctx, s.ns, cur.Key(), cur, 0) // EXPECT kvrace
}

// Initialize writes the default records for a newly registered patient.
func (s *Store) Initialize(ctx context.Context, patientID string) error {
	for _, k := range []Kind{Telehealth, Recording, DataSharing} {
		r := Record{PatientID: patientID, Kind: k, Version: 1, UpdatedAt: time.Now().UTC()}
		if _, err := s.c.Read(ctx, s.ns, r.Key()); err == nil { // EXPECT kvnull
			continue
		}
		if err := s.c.WriteJSON(ctx, s.ns, r.Key(), r, 0); err != nil { // DEBATABLE kvrace
			return err
		}
	}
	return nil
}

// Granted reports whether the patient agreed to a form. The answer for
// recording is checked before every video visit starts.
func (s *Store) Granted(ctx context.Context, patientID string, k Kind) (bool, error) {
	r := Record{PatientID: patientID, Kind: k}
	raw, err := s.c.Read(ctx, s.ns, r.Key())
	if err != nil {
		return false, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return false, nil
	}
	var rec Record
	if err := jsonUnmarshal(raw, &rec); err != nil {
		return false, err
	}
	return rec.Granted, nil
}
