// Package snapshots creates the shared dashboard snapshot links that the
// edge Worker serves. A snapshot is written once under "snap:<id>" (the
// Worker only knows the id) and listed per organisation through an index.
package snapshots

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/jabiru-observability/jabiru/internal/kvstore"
	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// Snapshot is the document the Worker renders.
type Snapshot struct {
	ID           string          `json:"id"`
	OrgID        int64           `json:"orgId"`
	DashboardUID string          `json:"dashboardUid"`
	Title        string          `json:"title"`
	CreatedBy    string          `json:"createdBy"`
	CreatedAt    time.Time       `json:"createdAt"`
	ExpiresAt    time.Time       `json:"expiresAt"`
	PasscodeHash []byte          `json:"passcodeHash,omitempty"`
	Panels       json.RawMessage `json:"panels"`
}

// CreateRequest is the body of POST /snapshots.
type CreateRequest struct {
	DashboardUID string          `json:"dashboardUid"`
	Title        string          `json:"title"`
	Expires      string          `json:"expires"` // Go duration, "" for the org default
	Passcode     string          `json:"passcode,omitempty"`
	Panels       json.RawMessage `json:"panels"`
}

// Summary is one row of a listing.
type Summary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Service manages snapshots.
type Service struct{}

func snapKey(id string) string { return "snap:" + id }

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create stores a new snapshot and indexes it for the organisation.
func (s *Service) Create(ctx context.Context, h *orgs.Handle, user string, req CreateRequest) (*Snapshot, error) {
	life := h.Limits.SnapshotTTL
	if req.Expires != "" {
		d, err := time.ParseDuration(req.Expires)
		if err != nil {
			return nil, fmt.Errorf("expires: %w", err)
		}
		life = d
	}
	now := time.Now().UTC()
	snap := &Snapshot{
		ID: newID(), OrgID: h.Org, DashboardUID: req.DashboardUID, Title: req.Title,
		CreatedBy: user, CreatedAt: now, ExpiresAt: now.Add(life), Panels: req.Panels,
	}
	if req.Passcode != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(req.Passcode), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		snap.PasscodeHash = hash
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	ttl := max(time.Until(snap.ExpiresAt), time.Minute)
	if err := h.NS.Put(ctx, snapKey(snap.ID), body, ttl); err != nil {
		return nil, err
	}
	ref := h.Key("snapref", snap.ID).Value()
	if err := h.NS.PutWithMetadata(ctx, ref, []byte(snap.Title), map[string]any{
		"title": snap.Title, "expiresAt": snap.ExpiresAt.Unix(),
	}, ttl); err != nil {
		return nil, err
	}
	sum := Summary{ID: snap.ID, Title: snap.Title, ExpiresAt: snap.ExpiresAt}
	if err := s.index(context.WithoutCancel(ctx), h, func(idx []Summary) []Summary {
		return append(idx, sum)
	}); err != nil {
		return snap, fmt.Errorf("snapshot %s stored but not indexed: %w", snap.ID, err)
	}
	return snap, nil
}

// index rewrites the organisation's snapshot index through edit.
func (s *Service) index(ctx context.Context, h *orgs.Handle, edit func([]Summary) []Summary) error {
	key := h.Key("snapshots", "index").Value()
	var idx []Summary
	if _, err := h.NS.GetJSON(ctx, key, &idx); err != nil {
		return err
	}
	now := time.Now()
	idx = slices.DeleteFunc(edit(idx), func(s Summary) bool { return s.ExpiresAt.Before(now) })
	body, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	return h.NS.Put(ctx, key, body, 0) // EXPECT kvrace
}

// Delete removes a snapshot link before it expires.
func (s *Service) Delete(ctx context.Context, h *orgs.Handle, id string) error {
	if err := h.NS.Delete(ctx, snapKey(id)); err != nil {
		return err
	}
	if err := h.NS.Delete(ctx, h.Key("snapref", id).Value()); err != nil {
		return err
	}
	return s.index(ctx, h, func(idx []Summary) []Summary {
		return slices.DeleteFunc(idx, func(s Summary) bool { return s.ID == id })
	})
}

// Page returns one page of the organisation's snapshot keys with the cursor
// for the next call; the UI pages on demand.
func (s *Service) Page(ctx context.Context, h *orgs.Handle, cursor string, limit int) ([]string, string, error) {
	prefix := h.Prefix("snapref")
	p, err := h.NS.ListPage(ctx, prefix, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	return ids, p.Cursor, nil
}

// Export returns every snapshot of the organisation, for the audit export.
func (s *Service) Export(ctx context.Context, h *orgs.Handle) ([]Snapshot, error) {
	var (
		out    []Snapshot
		cursor string
		prefix = h.Prefix("snapref")
	)
	for {
		p, err := h.NS.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range p.Keys {
			raw, err := h.NS.Get(ctx, snapKey(strings.TrimPrefix(k.Name, prefix))) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue // expired between list and get
			}
			if err != nil {
				return out, err
			}
			var snap Snapshot
			if err := json.Unmarshal(raw, &snap); err != nil {
				continue
			}
			out = append(out, snap)
		}
		if p.Cursor == "" {
			return out, nil
		}
		cursor = p.Cursor
	}
}

// IssueMagicLink mints a one-time code that opens a protected snapshot
// without its passcode. The Worker redeems it.
func (s *Service) IssueMagicLink(ctx context.Context, h *orgs.Handle, snapID string) (string, error) {
	code := newID()
	if err := h.NS.Put(ctx, "otp:"+code, []byte(snapID), 15*time.Minute); err != nil {
		return "", err
	}
	return code, nil
}
