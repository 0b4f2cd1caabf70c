// Package sponsors manages time-limited holds on sponsor slots. The ledger is
// the authority; KV carries a copy for the sponsor portal.
package sponsors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/ledger"
	"example.com/quill/internal/storage"
)

var now = time.Now

// ErrSlotTaken is returned when someone else holds the slot.
var ErrSlotTaken = errors.New("sponsors: slot is held by another sponsor")

// Hold is a time-limited claim on a sponsor slot.
type Hold struct {
	Tenant  string    `json:"tenant"`
	Issue   int       `json:"issue"`
	Slot    string    `json:"slot"` // "top", "middle", "classified-1", ...
	Sponsor string    `json:"sponsor"`
	Until   time.Time `json:"until"`
}

func (h Hold) key() string { return keys.Hold(h.Tenant, h.Issue, h.Slot) }

// putHook is a ReadWriter whose Put is replaced.
type putHook struct {
	storage.ReadWriter
	put func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
}

func (p putHook) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return p.put(ctx, key, value, opts)
}

// Desk manages the sponsor slot holds of one tenant.
type Desk struct {
	tenant string
	ledger ledger.Ledger
	b      *storage.Bucket
}

// NewDesk returns a Desk whose writes are tagged with the tenant.
func NewDesk(tenant string, rw storage.ReadWriter, l ledger.Ledger) *Desk {
	tagged := putHook{ReadWriter: rw}
	tagged.put = func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
		if opts.Metadata == nil {
			opts.Metadata = map[string]any{}
		}
		opts.Metadata["tenant"] = tenant
		return rw.Put(ctx, key, value, opts)
	}
	return &Desk{tenant: tenant, ledger: l, b: storage.NewBucket(tagged)}
}

// Place holds slot of issue for sponsor.
func (d *Desk) Place(ctx context.Context, issue int, slot, sponsor string) (Hold, error) {
	length := max(time.Duration(config.Current().HoldSeconds)*time.Second, 10*time.Minute)
	h := Hold{Tenant: d.tenant, Issue: issue, Slot: slot, Sponsor: sponsor, Until: now().Add(length).UTC()}
	err := d.ledger.InsertHold(ctx, h.Tenant, h.Issue, h.Slot, h.Sponsor, h.Until)
	if errors.Is(err, ledger.ErrConflict) {
		return Hold{}, ErrSlotTaken
	}
	if err != nil {
		return Hold{}, err
	}
	if err := d.b.Write(h.key()).JSON(h).ExpireAt(h.Until).Meta("sponsor", sponsor).Do(ctx); err != nil {
		return Hold{}, fmt.Errorf("sponsors: publish hold: %w", err)
	}
	return h, nil
}

// Republish rewrites the portal copy of a hold from the ledger's record.
func (d *Desk) Republish(ctx context.Context, h Hold) error {
	if !h.Until.After(now()) {
		return nil
	}
	return d.b.Write(h.key()).
		JSON(h).
		TTL(time.Until(h.Until)). // EXPECT kvttl
		Meta("sponsor", h.Sponsor).
		Do(ctx)
}

// Nudge shows the sponsor a "hold about to lapse" banner.
func (d *Desk) Nudge(ctx context.Context, h Hold) error {
	banner, err := json.Marshal(map[string]any{
		"message": fmt.Sprintf("Your hold on the %s slot of issue #%d ends at %s.", h.Slot, h.Issue, h.Until.Format(time.Kitchen)),
	})
	if err != nil {
		return err
	}
	key := keys.Join("banner", h.Sponsor, h.key())
	remaining := max(time.Until(h.Until), 15*time.Second) // EXPECT kvttl
	return d.b.Write(key).Value(banner).TTL(remaining).Do(ctx)
}
