// Package waitlist keeps the ordered waitlist of each full section.
package waitlist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// ErrNotListed is returned when the student is not on the waitlist.
var ErrNotListed = errors.New("waitlist: student not listed")

// Entry is one student's place on a waitlist.
type Entry struct {
	Student string    `json:"student"`
	Joined  time.Time `json:"joined"`
	Credits int       `json:"credits"`
}

// Offer is made to the head of the waitlist when a seat opens.
type Offer struct {
	Section string    `json:"section"`
	Student string    `json:"student"`
	Made    time.Time `json:"made"`
}

// Params are the waitlist's dependencies.
type Params struct {
	dig.In

	KV       *kvstore.Namespace `name:"waitlists"`
	Prefix   string             `name:"waitlist-prefix"`
	OfferTTL time.Duration      `name:"offer-ttl"`
	Notifier Notifier           `optional:"true"`
}

// Notifier tells a student about an offer. E-mail is optional in dev.
type Notifier interface {
	NotifyOffer(ctx context.Context, o Offer) error
}

// Service manages waitlists.
type Service struct {
	kv       *kvstore.Namespace
	prefix   string
	offerTTL time.Duration
	notify   Notifier
}

// New is the dig constructor.
func New(p Params) *Service {
	return &Service{kv: p.KV, prefix: p.Prefix, offerTTL: p.OfferTTL, notify: p.Notifier}
}

func (s *Service) listKey(section string) string { return s.prefix + "list:" + section }
func (s *Service) offerKey(section, student string) string {
	return s.prefix + "offer:" + section + ":" + student
}

func (s *Service) load(ctx context.Context, section string) ([]Entry, error) {
	raw, err := s.kv.Get(ctx, s.listKey(section))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("decode waitlist %s: %w", section, err)
	}
	return entries, nil
}

// Join appends the student to the section's waitlist and returns the
// 1-based position.
func (s *Service) Join(ctx context.Context, section, student string, credits int) (int, error) {
	entries, err := s.load(ctx, section)
	if err != nil {
		return 0, err
	}
	if i := slices.IndexFunc(entries, func(e Entry) bool { return e.Student == student }); i >= 0 {
		return i + 1, nil
	}
	entries = append(entries, Entry{Student: student, Joined: time.Now().UTC(), Credits: credits})
	out, err := json.Marshal(entries)
	if err != nil {
		return 0, err
	}
	if err := s.kv.Put(ctx, s.listKey(section), out, 0); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(entries), nil
}

// Leave removes the student from the waitlist.
func (s *Service) Leave(ctx context.Context, section, student string) error {
	return s.kv.Update(ctx, s.listKey(section), 0, func(old []byte) ([]byte, error) {
		var entries []Entry
		if old != nil {
			if err := json.Unmarshal(old, &entries); err != nil {
				return nil, err
			}
		}
		entries = slices.DeleteFunc(entries, func(e Entry) bool { return e.Student == student })
		return json.Marshal(entries)
	})
}

// Position returns the student's 1-based position.
func (s *Service) Position(ctx context.Context, section, student string) (int, error) {
	entries, err := s.load(ctx, section)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Student == student })
	if i < 0 {
		return 0, ErrNotListed
	}
	return i + 1, nil
}

// Head returns the student at the front of the section's waitlist.
func (s *Service) Head(ctx context.Context, section string) (Entry, bool, error) {
	entries, err := s.load(ctx, section)
	if err != nil || len(entries) == 0 {
		return Entry{}, false, err
	}
	return entries[0], true, nil
}

// Offer records a seat offer for the student at the head of the list and
// notifies them. The offer lapses after the configured time.
func (s *Service) Offer(ctx context.Context, section string, head Entry) error {
	o := Offer{Section: section, Student: head.Student, Made: time.Now().UTC()}
	out, _ := json.Marshal(o)
	if err := s.kv.Put(ctx, s.offerKey(section, head.Student), out, s.offerTTL); err != nil {
		return err
	}
	if s.notify != nil {
		return s.notify.NotifyOffer(ctx, o)
	}
	return nil
}

// PublishPositions writes every listed student's position under its own
// key so the portal can show it without loading the whole list.
func (s *Service) PublishPositions(ctx context.Context, section string) error {
	entries, err := s.load(ctx, section)
	if err != nil {
		return err
	}
	batch := make([]kvstore.Entry, 0, len(entries))
	for i, e := range entries {
		batch = append(batch, kvstore.Entry{
			Key:   s.prefix + "pos:" + e.Student + ":" + section,
			Value: fmt.Sprint(i + 1),
			TTL:   24 * time.Hour,
		})
	}
	return s.kv.PutMany(ctx, batch)
}

// Sections returns the sections that currently have a waitlist.
func (s *Service) Sections(ctx context.Context) ([]string, error) {
	page, err := s.kv.ListPage(ctx, s.prefix+"list:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, s.prefix+"list:"))
	}
	return out, nil
}

// SectionsPage returns one page of waitlisted sections and the cursor for
// the next page, for the admin console's "load more" button.
func (s *Service) SectionsPage(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := s.kv.ListPage(ctx, s.prefix+"list:", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, s.prefix+"list:"))
	}
	return out, page.Cursor, nil
}
