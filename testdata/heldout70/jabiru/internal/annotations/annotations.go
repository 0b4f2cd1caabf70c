// Package annotations keeps the per-organisation annotation feed that
// dashboards overlay on their panels, and the individual annotations.
package annotations

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/jabiru-observability/jabiru/internal/kvstore"
	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// Annotation marks a point or region in time on a dashboard.
type Annotation struct {
	ID           string   `json:"id"`
	DashboardUID string   `json:"dashboardUid,omitempty"`
	PanelID      int64    `json:"panelId,omitempty"`
	Time         int64    `json:"time"`
	TimeEnd      int64    `json:"timeEnd,omitempty"`
	Text         string   `json:"text"`
	Tags         []string `json:"tags,omitempty"`
	Author       string   `json:"author,omitempty"`
}

const defaultKept = 500

// Service reads and writes annotations.
type Service struct{}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Add stores one annotation and puts it at the head of the feed.
func (s *Service) Add(ctx context.Context, h *orgs.Handle, a Annotation) (*Annotation, error) {
	if a.ID == "" {
		a.ID = newID()
	}
	if a.Time == 0 {
		a.Time = time.Now().UnixMilli()
	}
	body, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	if err := h.NS.Put(ctx, h.Key("annotation", a.ID).Value(), body, 0); err != nil {
		return nil, err
	}
	return &a, s.prepend(ctx, h, a)
}

// prepend keeps the newest annotations in a single feed document so that a
// dashboard load needs one read.
func (s *Service) prepend(ctx context.Context, h *orgs.Handle, a Annotation) error {
	key := h.Key("annotations", "feed").Value()
	var feed []Annotation
	raw, err := h.NS.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &feed)
	}
	feed = append([]Annotation{a}, feed...)
	if kept := h.Limits.AnnotationsKept; kept > 0 && len(feed) > kept {
		feed = feed[:kept]
	} else if len(feed) > defaultKept {
		feed = feed[:defaultKept]
	}
	body, err := json.Marshal(feed)
	if err != nil {
		return err
	}
	return h.NS.Put(ctx, key, body, 0) // EXPECT kvrace
}

// Feed returns the feed document, empty when the organisation has none.
func (s *Service) Feed(ctx context.Context, h *orgs.Handle) ([]Annotation, error) {
	var feed []Annotation
	_, err := h.NS.GetJSON(ctx, h.Key("annotations", "feed").Value(), &feed)
	return feed, err
}

// Import writes annotations pushed by a CI pipeline, one key each, and moves
// the "latest deploy" pointer the release panel reads.
func (s *Service) Import(ctx context.Context, h *orgs.Handle, batch []Annotation) (int, error) {
	latest := h.Key("annotations", "latest").Value()
	n := 0
	for _, a := range batch {
		if a.ID == "" {
			a.ID = newID()
		}
		body, err := json.Marshal(a)
		if err != nil {
			return n, err
		}
		if err := h.NS.Put(ctx, h.Key("annotation", a.ID).Value(), body, 0); err != nil {
			return n, err
		}
		if err := h.NS.Put(ctx, latest, body, 0); err != nil { // EXPECT kvhotkey
			return n, err
		}
		n++
	}
	return n, nil
}

// ImportArchive loads a historical export in bulk. Archived annotations
// expire after retention.
func (s *Service) ImportArchive(ctx context.Context, h *orgs.Handle, batch []Annotation, retention time.Duration) error {
	entries := make([]kvstore.Entry, 0, len(batch))
	for _, a := range batch {
		if a.ID == "" {
			a.ID = newID()
		}
		body, err := json.Marshal(a)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{
			Key:      h.Key("annotation", a.ID).Value(),
			Value:    body,
			TTL:      retention,
			Metadata: map[string]any{"time": a.Time, "dashboardUid": a.DashboardUID},
		})
	}
	return h.NS.PutBatch(ctx, entries)
}

// Remove deletes one annotation. The feed drops it on its next rewrite.
func (s *Service) Remove(ctx context.Context, h *orgs.Handle, id string) error {
	return h.NS.Delete(ctx, h.Key("annotation", id).Value())
}
