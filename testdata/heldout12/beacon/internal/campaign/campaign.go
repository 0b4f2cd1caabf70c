// Package campaign stores push campaigns and runs their schedules.
package campaign

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/retry"
)

// Status is a campaign's lifecycle state.
type Status string

const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Paused    Status = "paused"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Campaign is one scheduled notification to a set of topics.
type Campaign struct {
	ID       string    `json:"id"`
	TenantID string    `json:"tenant"`
	Name     string    `json:"name"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Topics   []string  `json:"topics"`
	SendAt   time.Time `json:"send_at"`
	EndsAt   time.Time `json:"ends_at"`
	Status   Status    `json:"status"`
	Note     string    `json:"note,omitempty"`
	Updated  time.Time `json:"updated"`
}

func (c Campaign) Key() string { return Key(c.TenantID, c.ID) }

// Key returns the key of a campaign.
func Key(tenant, id string) string { return consts.PrefixCampaign.Key(tenant, id) }

func (c Campaign) listMeta() map[string]any {
	return map[string]any{"s": string(c.Status), "at": c.SendAt.Unix(), "u": c.Updated.Unix()}
}

var (
	ErrNotFound   = errors.New("campaign: not found")
	ErrTransition = errors.New("campaign: invalid transition")
)

// Op is a state change requested from the console or the scheduler.
type Op interface{ apply(*Campaign) error }

type (
	Schedule struct{ At time.Time }
	Pause    struct{}
	Cancel   struct{}
	Finish   struct{ Err error }
)

func (o Schedule) apply(c *Campaign) error {
	if c.Status != Draft && c.Status != Paused {
		return ErrTransition
	}
	c.SendAt, c.Status = o.At, Scheduled
	return nil
}

func (Pause) apply(c *Campaign) error {
	if c.Status != Scheduled {
		return ErrTransition
	}
	c.Status = Paused
	return nil
}

func (Cancel) apply(c *Campaign) error {
	if c.Status == Done {
		return ErrTransition
	}
	c.Status = Cancelled
	return nil
}

func (o Finish) apply(c *Campaign) error {
	c.Status, c.Note = Done, ""
	if o.Err != nil {
		c.Status, c.Note = Paused, o.Err.Error()
	}
	return nil
}

// ParseOp maps the console's path segment to an Op.
func ParseOp(name string, at time.Time) (Op, error) {
	switch strings.ToLower(name) {
	case "schedule":
		return Schedule{At: at}, nil
	case "pause":
		return Pause{}, nil
	case "cancel":
		return Cancel{}, nil
	}
	return nil, fmt.Errorf("campaign: unknown op %q", name)
}

// Store keeps campaigns in the campaigns namespace.
type Store struct {
	KV    kvstore.Store
	Retry retry.Policy
}

// Create stores a new draft campaign that expires when it ends.
func (s *Store) Create(ctx context.Context, c Campaign) (Campaign, error) {
	if !c.EndsAt.After(time.Now()) {
		return Campaign{}, errors.New("campaign: ends_at must be in the future")
	}
	c.ID = newID()
	c.Status = Draft
	c.Updated = time.Now().UTC()
	err := kvstore.PutJSON(ctx, s.KV, c.Key(), c, kvstore.PutOptions{
		TTL:      time.Until(c.EndsAt), // EXPECT kvttl
		Metadata: c.listMeta(),
	})
	return c, err
}

// Get loads a campaign.
func (s *Store) Get(ctx context.Context, tenant, id string) (Campaign, error) {
	c, err := kvstore.GetJSON[Campaign](ctx, s.KV, Key(tenant, id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Campaign{}, ErrNotFound
	}
	return c, err
}

// Apply performs op on the campaign, retrying transient storage errors.
func (s *Store) Apply(ctx context.Context, tenant, id string, op Op) (Campaign, error) {
	var out Campaign
	err := retry.Do(ctx, s.Retry, func() error {
		c, err := s.Get(ctx, tenant, id)
		if err != nil {
			return retry.Permanent(err)
		}
		if err := op.apply(&c); err != nil {
			return retry.Permanent(err)
		}
		c.Updated = time.Now().UTC()
		out = c
		return kvstore.PutJSON(ctx, s.KV, c.Key(), c, kvstore.PutOptions{ // EXPECT kvrace
			TTL:      consts.CampaignTTL,
			Metadata: c.listMeta(),
		})
	})
	return out, err
}

// Due returns the IDs of scheduled campaigns of tenant whose send time has
// passed, reading status from key metadata, within a page budget.
func (s *Store) Due(ctx context.Context, tenant string, now time.Time) ([]string, error) {
	prefix := Key(tenant, "")
	var due []string
	cursor := ""
	for range consts.MaxListPages {
		page, err := s.KV.List(ctx, prefix, cursor, consts.ListPageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			st, _ := k.Metadata["s"].(string)
			at, _ := k.Metadata["at"].(float64)
			if Status(st) == Scheduled && int64(at) <= now.Unix() {
				due = append(due, strings.TrimPrefix(k.Name, prefix))
			}
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return due, nil
}

// ExpireDrafts deletes draft campaigns of tenant not touched since cutoff.
func (s *Store) ExpireDrafts(ctx context.Context, tenant string, cutoff time.Time) (int, error) {
	prefix := Key(tenant, "")
	removed, cursor := 0, ""
	for range consts.MaxListPages {
		page, err := s.KV.List(ctx, prefix, cursor, consts.ListPageSize) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			st, _ := k.Metadata["s"].(string)
			updated, _ := k.Metadata["u"].(float64)
			if Status(st) == Draft && int64(updated) < cutoff.Unix() {
				if err := s.KV.Delete(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return removed, nil
}

// LoadMany fetches up to 100 campaigns in one bulk read.
func (s *Store) LoadMany(ctx context.Context, tenant string, ids []string) ([]Campaign, error) {
	br, ok := s.KV.(kvstore.BulkReader)
	if !ok || len(ids) > consts.BulkGetMax {
		return nil, fmt.Errorf("campaign: bulk read unavailable for %d ids", len(ids))
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = Key(tenant, id)
	}
	vals, err := br.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(vals))
	for _, k := range keys {
		if raw, ok := vals[k]; ok {
			var c Campaign
			if err := json.Unmarshal(raw, &c); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
