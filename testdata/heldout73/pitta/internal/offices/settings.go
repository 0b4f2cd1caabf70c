// Package offices keeps the settings of the city's citizen offices
// (opening hours, slot length, daily quota, public notices) in KV, with the
// city's registry as the source of truth for addresses and names.
package offices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

// ErrExists is returned when an office slug is already taken.
var ErrExists = errors.New("offices: slug already in use")

// Hours are the opening hours of one weekday, e.g. "08:00-12:30".
type Hours map[time.Weekday]string

// Settings of one office.
type Settings struct {
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Address     string    `json:"address"`
	Hours       Hours     `json:"hours"`
	SlotMinutes int       `json:"slot_minutes"`
	Counters    int       `json:"counters"`
	Notice      string    `json:"notice,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Registry is the city's master data service.
type Registry interface {
	Office(ctx context.Context, slug string) (*Settings, error)
}

// Store reads and writes office settings.
type Store struct {
	ns  *kvstore.Namespace
	reg Registry
}

// NewStore returns a settings store.
func NewStore(ns *kvstore.Namespace, reg Registry) *Store { return &Store{ns: ns, reg: reg} }

func key(slug string) string { return "office:" + slug }

// Get returns an office's settings, filling KV from the registry on a miss.
func (s *Store) Get(ctx context.Context, slug string) (*Settings, error) {
	raw, err := s.ns.Get(ctx, key(slug))
	if err == nil {
		var st Settings
		if err := json.Unmarshal(raw, &st); err == nil {
			return &st, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	st, err := s.reg.Office(ctx, slug)
	if err != nil {
		return nil, err
	}
	raw, err = json.Marshal(st)
	if err != nil {
		return nil, err
	}
	if err := s.ns.PutCache(ctx, key(slug), raw, 15*time.Second); err != nil {
		return nil, err
	}
	return st, nil
}

// Create claims a new office slug.
func (s *Store) Create(ctx context.Context, st *Settings) error {
	if _, err := s.ns.Get(ctx, key(st.Slug)); err == nil {
		return ErrExists
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	st.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, key(st.Slug), raw, 0) // EXPECT kvrace
}

// UpdateHours changes the opening hours of one weekday.
func (s *Store) UpdateHours(ctx context.Context, slug string, day time.Weekday, hours string) error {
	st := &Settings{Slug: slug, Hours: Hours{}}
	if raw, err := s.ns.Get(ctx, key(slug)); err == nil { // EXPECT kvnull
		if err := json.Unmarshal(raw, st); err != nil {
			return err
		}
	}
	if st.Hours == nil {
		st.Hours = Hours{}
	}
	st.Hours[day] = hours
	st.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, key(slug), raw, 0) // EXPECT kvrace
}

// Replace overwrites an office's settings with what the console submitted.
func (s *Store) Replace(ctx context.Context, st *Settings) error {
	st.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, key(st.Slug), raw, 0)
}

// SetDailyQuota stores how many appointments an office offers per day.
func (s *Store) SetDailyQuota(ctx context.Context, slug string, quota int) error {
	return s.ns.Put(ctx, "quota:office:"+slug, []byte(strconv.Itoa(quota)), 0) // DEBATABLE kvcounter
}

// Slugs lists the slugs of all offices for the office picker.
func (s *Store) Slugs(ctx context.Context) ([]string, error) {
	keys, _, err := s.ns.ListPage(ctx, "office:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k.Name, "office:"))
	}
	return out, nil
}

// Search returns one page of offices whose slug starts with q, and the
// cursor for the next page.
func (s *Store) Search(ctx context.Context, q, cursor string) ([]string, string, error) {
	keys, next, err := s.ns.ListPage(ctx, "office:"+q, cursor, 2000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k.Name, "office:"))
	}
	return out, next, nil
}

// Holidays returns the dates on which an office is closed in addition to
// public holidays. The list is maintained by hand in the console.
func (s *Store) Holidays(ctx context.Context, slug string) ([]string, error) {
	res, err := s.ns.Client().KV.Namespaces.Values.Get(ctx, s.ns.ID(), "holidays:"+slug, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID()),
	})
	if err != nil {
		return nil, fmt.Errorf("holidays %s: %w", slug, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var dates []string
	return dates, json.Unmarshal(raw, &dates)
}
