// Package silences stores alert silences. A silence lives under the
// fingerprint of its matchers, so the same matchers cannot be silenced twice,
// and expires from KV on its own when it ends.
package silences

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// ErrExists is returned when the same matchers are already silenced.
var ErrExists = errors.New("silences: an active silence has the same matchers")

// Matcher selects alerts by label.
type Matcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
}

// Silence mutes alerts that match all of its matchers between StartsAt and EndsAt.
type Silence struct {
	ID        string    `json:"id"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
}

// Fingerprint identifies a set of matchers independent of their order.
func Fingerprint(ms []Matcher) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		op := "="
		if m.IsRegex {
			op = "=~"
		}
		parts = append(parts, m.Name+op+m.Value)
	}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, ",")))
	return hex.EncodeToString(sum[:])
}

// Service manages silences.
type Service struct{}

// Create stores a new silence unless one with the same matchers is active.
func (s *Service) Create(ctx context.Context, h *orgs.Handle, sil Silence) (*Silence, error) {
	if !sil.EndsAt.After(time.Now()) {
		return nil, fmt.Errorf("silence ends in the past")
	}
	sil.ID = Fingerprint(sil.Matchers)
	key := h.Key("silence", sil.ID).Value()
	if _, found, err := h.NS.Lookup(ctx, key); err != nil {
		return nil, err
	} else if found {
		return nil, ErrExists
	}
	body, err := json.Marshal(sil)
	if err != nil {
		return nil, err
	}
	if err := h.NS.PutUntil(ctx, key, body, sil.EndsAt); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := s.track(ctx, h, sil.ID); err != nil {
		return &sil, err
	}
	return &sil, nil
}

// track adds id to the organisation's list of active silence ids, which the
// alert evaluator reads once per evaluation.
func (s *Service) track(ctx context.Context, h *orgs.Handle, id string) error {
	key := h.Key("silences", "active").Value()
	var ids []string
	if _, err := h.NS.GetJSON(ctx, key, &ids); err != nil {
		return err
	}
	ids = append(ids, id)
	body, _ := json.Marshal(ids)
	return h.NS.Put(ctx, key, body, 0) // EXPECT kvrace
}

// Expire ends a silence early. Alerts stay muted for a short grace period so
// that a notification does not fire while the operator is still typing.
func (s *Service) Expire(ctx context.Context, h *orgs.Handle, id string) error {
	key := h.Key("silence", id).Value()
	var sil Silence
	ok, err := h.NS.GetJSON(ctx, key, &sil)
	if err != nil || !ok {
		return err
	}
	sil.EndsAt = time.Now().Add(30 * time.Second)
	body, _ := json.Marshal(sil)
	return h.NS.PutUntil(ctx, key, body, sil.EndsAt) // EXPECT kvttl
}

// Active returns the organisation's silences, reading at most budget pages.
func (s *Service) Active(ctx context.Context, h *orgs.Handle, budget int) ([]string, bool, error) {
	var (
		ids    []string
		cursor string
		prefix = h.Prefix("silence")
	)
	for range max(budget, 1) {
		p, err := h.NS.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return ids, false, err
		}
		for _, k := range p.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if p.Cursor == "" {
			return ids, true, nil
		}
		cursor = p.Cursor
	}
	return ids, false, nil
}

// Purge deletes every silence of the organisation, e.g. when it is offboarded.
func (s *Service) Purge(ctx context.Context, h *orgs.Handle) (int, error) {
	keys, accountID := h.NS.Keys()
	pager := keys.ListAutoPaging(ctx, h.NS.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(accountID),
		Prefix:    cloudflare.F(h.Prefix("silence")),
	})
	n := 0
	var errs []error
	for pager.Next() {
		if err := h.NS.Delete(ctx, pager.Current().Name); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(append(errs, pager.Err())...)
}

// Sync imports silences from an upstream Alertmanager. Each silence keeps
// the upstream's end time.
func (s *Service) Sync(ctx context.Context, h *orgs.Handle, upstream []Silence) error {
	syncedAt := h.Key("silences", "synced-at")
	for _, sil := range upstream {
		sil.ID = Fingerprint(sil.Matchers)
		body, err := json.Marshal(sil)
		if err != nil {
			return err
		}
		if err := h.NS.PutUntil(ctx, h.Key("silence", sil.ID).Value(), body, sil.EndsAt); err != nil {
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := h.NS.Put(ctx, syncedAt.Value(), stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Backfill writes silences exported from the previous alerting system, whose
// export already carries the end of each silence.
func (s *Service) Backfill(ctx context.Context, h *orgs.Handle, old []Silence) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(old))
	for _, sil := range old {
		raw, _ := json.Marshal(sil)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(h.Key("silence", Fingerprint(sil.Matchers)).Value()),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(sil.EndsAt.UnixMilli())), // EXPECT kvttl
		})
	}
	return h.NS.Bulk(ctx, body)
}

// MaintenanceGrid precomputes which minutes of the week fall in the
// organisation's recurring maintenance windows, so the evaluator can test a
// minute with one read.
func (s *Service) MaintenanceGrid(ctx context.Context, h *orgs.Handle, windows [][2]time.Duration) error {
	const minutesPerWeek = 7 * 24 * 60
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, minutesPerWeek)
	for m := range minutesPerWeek {
		at := time.Duration(m) * time.Minute
		muted := slices.ContainsFunc(windows, func(w [2]time.Duration) bool { return at >= w[0] && at < w[1] })
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(h.Key("mgrid", fmt.Sprint(m)).Value()),
			Value: cloudflare.F(fmt.Sprint(muted)),
		})
	}
	return h.NS.Bulk(ctx, body) // EXPECT kvlimits
}
