// Package subscribers keeps subscriber records, their preferences and list
// membership. Records are account-scoped through a kvstore.Tenant.
package subscribers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/retry"
)

// ErrNotFound is returned when the account has no subscriber with that address.
var ErrNotFound = errors.New("subscriber not found")

// Status is where a subscriber stands in the opt-in life cycle.
type Status string

const (
	Pending      Status = "pending"
	Active       Status = "active"
	Unsubscribed Status = "unsubscribed"
	Bounced      Status = "bounced"
	Complained   Status = "complained"
)

// Subscriber is the stored record.
type Subscriber struct {
	Email       string    `json:"email"`
	Name        string    `json:"name,omitempty"`
	Status      Status    `json:"status"`
	Tags        []string  `json:"tags,omitempty"`
	Lists       []string  `json:"lists,omitempty"`
	Source      string    `json:"source,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// metadata is what listings carry, so filters need no read per key.
func (s Subscriber) metadata() map[string]any {
	return map[string]any{"st": string(s.Status), "c": s.CreatedAt.Unix()}
}

// Prefs are the choices a subscriber makes in the preference center.
type Prefs struct {
	Frequency string    `json:"frequency"`
	Topics    []string  `json:"topics"`
	Locale    string    `json:"locale"`
	UpdatedAt time.Time `json:"updated_at"`
}

func defaultPrefs() Prefs {
	return Prefs{Frequency: "weekly", Locale: "en"}
}

// Service stores subscribers.
type Service struct {
	base  kvstore.Store
	retry retry.Policy
	log   *slog.Logger
}

// New returns a Service over the subscribers namespace.
func New(base kvstore.Store, log *slog.Logger) *Service {
	return &Service{base: base, retry: retry.Default, log: log}
}

func (s *Service) scoped(account string) kvstore.Store {
	return kvstore.Tenant{Store: s.base, Prefix: "acct/" + account + "/"}
}

// EmailHash is the stable identifier of an address inside keys.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:16])
}

// Create stores a new subscriber, replacing any earlier record.
func (s *Service) Create(ctx context.Context, account string, sub Subscriber) error {
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = time.Now().UTC()
	}
	raw, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	key := keys.Build(keys.Subscriber, EmailHash(sub.Email))
	return s.scoped(account).Put(ctx, key, raw, kvstore.PutOptions{Metadata: sub.metadata()})
}

// Get returns the subscriber with that address.
func (s *Service) Get(ctx context.Context, account, email string) (Subscriber, error) {
	var sub Subscriber
	raw, err := s.scoped(account).Get(ctx, keys.Build(keys.Subscriber, EmailHash(email)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return sub, ErrNotFound
	}
	if err != nil {
		return sub, err
	}
	return sub, json.Unmarshal(raw, &sub)
}

// SetStatus moves a subscriber to status st.
func (s *Service) SetStatus(ctx context.Context, account, email string, st Status) error {
	key := keys.Build(keys.Subscriber, EmailHash(email))
	return kvstore.Atomically(ctx, s.scoped(account), key, kvstore.PutOptions{}, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrNotFound
		}
		var sub Subscriber
		if err := json.Unmarshal(old, &sub); err != nil {
			return nil, err
		}
		if sub.Status == st {
			return nil, kvstore.ErrSkip
		}
		sub.Status = st
		if st == Active {
			sub.ConfirmedAt = time.Now().UTC()
		}
		return json.Marshal(sub)
	})
}

// AddTags adds tags to a subscriber, keeping the ones it has.
func (s *Service) AddTags(ctx context.Context, account, email string, tags ...string) error {
	st := s.scoped(account)
	key := keys.Build(keys.Subscriber, EmailHash(email))
	return retry.Do(ctx, s.retry, func(ctx context.Context) error {
		raw, err := st.Get(ctx, key)
		if errors.Is(err, kvstore.ErrNotFound) {
			return retry.Permanent(ErrNotFound)
		}
		if err != nil {
			return err
		}
		var sub Subscriber
		if err := json.Unmarshal(raw, &sub); err != nil {
			return retry.Permanent(err)
		}
		for _, t := range tags {
			if !slices.Contains(sub.Tags, t) {
				sub.Tags = append(sub.Tags, t)
			}
		}
		out, _ := json.Marshal(sub)
		return st.Put(ctx, key, out, kvstore.PutOptions{Metadata: sub.metadata()}) // EXPECT kvrace
	})
}

func (s *Service) loadPrefs(ctx context.Context, st kvstore.Store, hash string) Prefs {
	raw, err := st.Get(ctx, keys.Build(keys.SubscriberPrefs, hash)) // EXPECT kvnull
	if err != nil {
		return defaultPrefs()
	}
	var p Prefs
	if err := json.Unmarshal(raw, &p); err != nil {
		return defaultPrefs()
	}
	return p
}

func (s *Service) savePrefs(ctx context.Context, st kvstore.Store, hash string, p Prefs) error {
	p.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return st.Put(ctx, keys.Build(keys.SubscriberPrefs, hash), raw, kvstore.PutOptions{})
}

// SetFrequency changes how often a subscriber hears from the account.
func (s *Service) SetFrequency(ctx context.Context, account, email, freq string) error {
	switch freq {
	case "daily", "weekly", "monthly":
	default:
		return fmt.Errorf("unknown frequency %q", freq)
	}
	st, h := s.scoped(account), EmailHash(email)
	p := s.loadPrefs(ctx, st, h)
	p.Frequency = freq
	return s.savePrefs(ctx, st, h, p) // EXPECT kvrace
}

// ReplacePrefs stores the whole preference form as submitted.
func (s *Service) ReplacePrefs(ctx context.Context, account, email string, p Prefs) error {
	if p.Frequency == "" {
		p.Frequency = defaultPrefs().Frequency
	}
	return s.savePrefs(ctx, s.scoped(account), EmailHash(email), p)
}

// Suppress records that an address must not be mailed again. The record is
// written whole; it does not depend on what was stored before.
func (s *Service) Suppress(ctx context.Context, account, email, reason string) error {
	raw, _ := json.Marshal(map[string]any{"reason": reason, "at": time.Now().UTC()})
	return s.scoped(account).Put(ctx, keys.Build(keys.Suppression, EmailHash(email)), raw, kvstore.PutOptions{
		Metadata: map[string]any{"reason": reason},
	})
}
