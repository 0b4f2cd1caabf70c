// Package subscribers holds subscriber records. A Subscriber carries the
// namespace it was loaded from and saves, reloads and deletes itself.
package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
	"bobolink/internal/retry"
)

// Status values.
const (
	Pending      = "pending"
	Confirmed    = "confirmed"
	Unsubscribed = "unsubscribed"
	Bounced      = "bounced"
	Complained   = "complained"
)

// Subscriber is one address on one list.
type Subscriber struct {
	ns    *cfkv.Namespace
	clock clock.Clock

	List        string            `json:"list"`
	Email       string            `json:"email"`
	Status      string            `json:"status"`
	Tags        []string          `json:"tags,omitempty"`
	Attrs       map[string]string `json:"attrs,omitempty"`
	Source      string            `json:"source,omitempty"`
	Bounces     int               `json:"bounces"`
	ConfirmedAt time.Time         `json:"confirmed_at,omitzero"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Directory finds and creates subscribers in one tenant namespace.
type Directory struct {
	ns    *cfkv.Namespace
	clock clock.Clock
}

// NewDirectory binds a directory to a namespace.
func NewDirectory(ns *cfkv.Namespace, c clock.Clock) *Directory {
	return &Directory{ns: ns, clock: c}
}

func (s *Subscriber) key() string {
	return kvkeys.SubscriberKey{List: s.List, Email: s.Email}.Key()
}

// New returns an unsaved subscriber bound to the directory.
func (d *Directory) New(list, email string) *Subscriber {
	return &Subscriber{ns: d.ns, clock: d.clock, List: list, Email: strings.ToLower(email), Status: Pending}
}

// Find loads a subscriber. It returns an error wrapping cfkv.ErrNotFound when
// the address is not on the list.
func (d *Directory) Find(ctx context.Context, list, email string) (*Subscriber, error) {
	s := d.New(list, email)
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload replaces s with the stored copy.
func (s *Subscriber) Reload(ctx context.Context) error {
	raw, err := retry.Value(ctx, retry.Default, func(ctx context.Context) ([]byte, error) {
		b, err := s.ns.Get(ctx, s.key())
		if errors.Is(err, cfkv.ErrNotFound) {
			return nil, retry.Stop(err)
		}
		return b, err
	})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, s); err != nil {
		return fmt.Errorf("subscribers: decode %s: %w", s.key(), err)
	}
	return nil
}

// Save writes s back.
func (s *Subscriber) Save(ctx context.Context) error {
	s.UpdatedAt = s.clock.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return s.ns.Put(ctx, s.key(), b, cfkv.PutOptions{Metadata: map[string]string{"status": s.Status}})
	})
}

// Delete erases the subscriber (GDPR erasure requests).
func (s *Subscriber) Delete(ctx context.Context) error {
	err := s.ns.Delete(ctx, s.key())
	if errors.Is(err, cfkv.ErrNotFound) {
		return nil
	}
	return err
}

// AddTag tags the subscriber, keeping tags added elsewhere since s was loaded.
func (s *Subscriber) AddTag(ctx context.Context, tag string) error {
	if err := s.Reload(ctx); err != nil {
		return err
	}
	if slices.Contains(s.Tags, tag) {
		return nil
	}
	s.Tags = append(s.Tags, tag)
	return s.Save(ctx) // EXPECT kvrace
}

// Confirm marks a pending subscriber as confirmed.
func (s *Subscriber) Confirm(at time.Time) {
	s.Status = Confirmed
	s.ConfirmedAt = at.UTC()
}

// Deliverable reports whether mail may be sent to s.
func (s *Subscriber) Deliverable() bool {
	return s.Status == Confirmed
}
