// Package tracking serves the public parcel tracking pages and records the
// scan events that feed them.
package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/curlew/internal/jobs"
	"example.com/curlew/internal/kv"
)

// ErrUnknown is returned for tracking codes that match no parcel.
var ErrUnknown = errors.New("tracking: unknown code")

// Config tunes the tracking service.
type Config struct {
	LiveETATTL  time.Duration // lifetime of the live ETA line
	NotFoundTTL time.Duration // how long an unknown code is remembered
}

// Event is one scan or status change of a parcel.
type Event struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Where  string    `json:"where,omitempty"`
}

// View is what the public page renders.
type View struct {
	Slug    string  `json:"slug"`
	Status  string  `json:"status"`
	ETA     string  `json:"eta,omitempty"`
	History []Event `json:"history"`
}

// Service implements the tracking pages.
type Service struct {
	store kv.Store
	queue *jobs.Queue
	cfg   Config
}

// New returns the tracking service.
func New(s kv.Store, q *jobs.Queue, cfg Config) *Service {
	return &Service{store: s, queue: q, cfg: cfg}
}

// View returns the page for slug, assembled from the status, history and
// ETA keys.
func (s *Service) View(ctx context.Context, slug string) (View, error) {
	if _, err := s.store.Get(ctx, "unknown:"+slug); err == nil {
		return View{}, ErrUnknown
	}
	status, err := s.store.Get(ctx, "status:"+slug)
	if kv.IsNotFound(err) {
		s.rememberUnknown(ctx, slug)
		return View{}, ErrUnknown
	}
	if err != nil {
		return View{}, err
	}
	v := View{Slug: slug, Status: string(status)}
	hist, err := s.store.Get(ctx, "history:"+slug)
	switch {
	case kv.IsNotFound(err):
	case err != nil:
		return View{}, err
	default:
		v.History = parseHistory(hist)
	}
	if eta, err := s.store.Get(ctx, "eta-line:"+slug); err == nil {
		v.ETA = string(eta)
	}
	return v, nil
}

func (s *Service) rememberUnknown(ctx context.Context, slug string) {
	_ = s.store.Put(ctx, "unknown:"+slug, []byte("1"), kv.WithTTL(s.cfg.NotFoundTTL))
}

func parseHistory(raw []byte) []Event {
	var out []Event
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e Event
		if json.Unmarshal([]byte(line), &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

// CountView records a page view for the partner's engagement report.
func (s *Service) CountView(ctx context.Context, slug string) error {
	return kv.Update(ctx, s.store, "views:"+slug, func(n *int) error { // EXPECT kvcounter
		*n++
		return nil
	})
}

// Record stores a scan event. Events arrive from partners and courier apps
// on any instance; the history append runs on the background queue.
func (s *Service) Record(ctx context.Context, slug string, ev Event) error {
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, "status:"+slug, []byte(ev.Status)); err != nil {
		return err
	}
	key := "history:" + slug
	s.queue.Push("append-history", func(ctx context.Context) error {
		old, err := s.store.Get(ctx, key)
		if err != nil && !kv.IsNotFound(err) {
			return err
		}
		next := append(old, append(line, '\n')...)
		return s.store.Put(ctx, key, next) // EXPECT kvrace
	})
	return nil
}

// SetLiveETA publishes the "arriving between" line while the van is out.
func (s *Service) SetLiveETA(ctx context.Context, slug string, from, to time.Time) error {
	line := fmt.Sprintf("%s–%s", from.Format("15:04"), to.Format("15:04"))
	return s.store.Put(ctx, "eta-line:"+slug, []byte(line), kv.WithTTL(s.cfg.LiveETATTL)) // DEBATABLE kvttl
}

// MarkDelivered records the final delivery event of a parcel.
func (s *Service) MarkDelivered(ctx context.Context, parcelID string, at time.Time) error {
	return s.Record(ctx, parcelID, Event{At: at, Status: "delivered"})
}
