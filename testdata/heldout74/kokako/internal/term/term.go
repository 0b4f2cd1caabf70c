// Package term holds term-level and section-level registration settings.
package term

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// Section is the per-section configuration the registrar edits.
type Section struct {
	ID           string    `json:"id"`
	Course       string    `json:"course"`
	Capacity     int       `json:"capacity"`
	WaitlistCap  int       `json:"waitlist_cap"`
	DropDeadline time.Time `json:"drop_deadline"`
	Instructor   string    `json:"instructor"`
	Restricted   bool      `json:"restricted"`
}

// Settings is the configuration of one academic term.
type Settings struct {
	Term         string    `json:"term"`
	OpensAt      time.Time `json:"opens_at"`
	AddDropEnds  time.Time `json:"add_drop_ends"`
	MaxCredits   int       `json:"max_credits"`
	Announcement string    `json:"announcement,omitempty"`
}

// Catalog is the course catalogue service, the source of truth for sections.
type Catalog interface {
	Sections(ctx context.Context, term string) ([]Section, error)
	Blurb(ctx context.Context, course string) (string, error)
}

// Params are the term service's dependencies.
type Params struct {
	dig.In

	KV      *kvstore.Namespace `name:"terms"`
	TTL     time.Duration      `name:"settings-ttl"`
	Catalog Catalog
}

// Service reads and writes term settings.
type Service struct {
	kv      *kvstore.Namespace
	ttl     time.Duration
	catalog Catalog
}

// NewService is the dig constructor.
func NewService(p Params) *Service {
	return &Service{kv: p.KV, ttl: p.TTL, catalog: p.Catalog}
}

func settingsKey(term string) string          { return "term:" + term }
func sectionKey(term, section string) string  { return "section:" + term + ":" + section }
func deadlineKey(term, section string) string { return "deadline:" + term + ":" + section }

// Settings returns the term configuration.
func (s *Service) Settings(ctx context.Context, term string) (Settings, error) {
	raw, err := s.kv.Get(ctx, settingsKey(term))
	if err != nil {
		return Settings{}, err
	}
	var st Settings
	err = json.Unmarshal(raw, &st)
	return st, err
}

// EnsureDefaults makes sure a term has settings before registration opens,
// filling in the standard credit cap.
func (s *Service) EnsureDefaults(ctx context.Context, term string, opens time.Time) error {
	var st Settings
	raw, err := s.kv.Get(ctx, settingsKey(term)) // EXPECT kvnull
	if err != nil {
		st = Settings{MaxCredits: 18}
	} else if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	st.Term = term
	st.OpensAt = opens
	out, _ := json.Marshal(st)
	return s.kv.Put(ctx, settingsKey(term), out, 0) // EXPECT kvrace
}

// Section returns one section's settings, from KV or from the catalogue.
func (s *Service) Section(ctx context.Context, term, id string) (Section, error) {
	raw, err := s.kv.Get(ctx, sectionKey(term, id))
	if err == nil {
		var sec Section
		if err := json.Unmarshal(raw, &sec); err == nil {
			return sec, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Section{}, err
	}
	all, err := s.catalog.Sections(ctx, term)
	if err != nil {
		return Section{}, err
	}
	for _, sec := range all {
		if sec.ID == id {
			out, _ := json.Marshal(sec)
			return sec, s.kv.Put(ctx, sectionKey(term, id), out, s.ttl)
		}
	}
	return Section{}, fmt.Errorf("term %s: no section %s", term, id)
}

// SetCapacity changes a section's capacity from the registrar console.
func (s *Service) SetCapacity(ctx context.Context, term, id string, capacity int) error {
	raw, err := s.kv.Get(ctx, sectionKey(term, id))
	if err != nil {
		return err
	}
	var sec Section
	if err := json.Unmarshal(raw, &sec); err != nil {
		return err
	}
	sec.Capacity = capacity
	out, _ := json.Marshal(sec)
	return s.kv.Put(ctx, sectionKey(term, id), out, 0) // EXPECT kvrace
}

// SyncStatus is written while a catalogue sync is running.
type SyncStatus struct {
	Term    string    `json:"term"`
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	Updated time.Time `json:"updated"`
}

// SyncFromCatalog copies every section of the term from the catalogue.
func (s *Service) SyncFromCatalog(ctx context.Context, term string) error {
	sections, err := s.catalog.Sections(ctx, term)
	if err != nil {
		return err
	}
	for i, sec := range sections {
		out, _ := json.Marshal(sec)
		if err := s.kv.Put(ctx, sectionKey(term, sec.ID), out, 0); err != nil {
			return err
		}
		status, _ := json.Marshal(SyncStatus{Term: term, Done: i + 1, Total: len(sections), Updated: time.Now().UTC()})
		if err := s.kv.Put(ctx, "term:sync-status", status, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// CacheDeadline stores the drop deadline of a section so the edge can refuse
// late drops. The entry disappears once the deadline has passed.
func (s *Service) CacheDeadline(ctx context.Context, term string, sec Section) error {
	ttl := max(time.Until(sec.DropDeadline), 5*time.Second) // EXPECT kvttl
	return s.kv.Put(ctx, deadlineKey(term, sec.ID), []byte(sec.DropDeadline.Format(time.RFC3339)), ttl)
}

// CacheAddDropWindow stores the end of the add/drop window for the term.
func (s *Service) CacheAddDropWindow(ctx context.Context, st Settings) error {
	ttl := time.Until(st.AddDropEnds)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.kv.Put(ctx, "adddrop-window:"+st.Term, []byte(st.AddDropEnds.Format(time.RFC3339)), ttl)
}

// Blurb returns the catalogue description of a course, cached in KV for a
// day. It talks to the SDK directly because the blurbs are large and are
// streamed straight into the response.
func (s *Service) Blurb(ctx context.Context, w io.Writer, course string) error {
	client := s.kv.Client()
	res, err := client.KV.Namespaces.Values.Get(ctx, s.kv.ID(), "blurb:"+course, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.kv.AccountID()),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		_, err = w.Write(raw)
		return err
	}
	text, err := s.catalog.Blurb(ctx, course)
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, "blurb:"+course, []byte(text), 24*time.Hour); err != nil {
		return err
	}
	_, err = io.WriteString(w, text)
	return err
}

// Publish writes the settings and all sections of a term in one bulk call.
func (s *Service) Publish(ctx context.Context, st Settings, sections []Section) error {
	entries := make([]kvstore.Entry, 0, len(sections)+1)
	out, _ := json.Marshal(st)
	entries = append(entries, kvstore.Entry{Key: settingsKey(st.Term), Value: string(out)})
	for _, sec := range sections {
		b, _ := json.Marshal(sec)
		entries = append(entries, kvstore.Entry{
			Key:      sectionKey(st.Term, sec.ID),
			Value:    string(b),
			Metadata: map[string]any{"course": sec.Course, "capacity": sec.Capacity},
		})
	}
	return s.kv.PutMany(ctx, entries)
}
