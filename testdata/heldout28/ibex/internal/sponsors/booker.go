// Package sponsors sells and schedules sponsor slots in episodes.
package sponsors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/ibex/internal/edgekv"
)

var timeNow = time.Now

// ErrSlotTaken is returned when a slot is already booked.
var ErrSlotTaken = errors.New("sponsors: slot already booked")

// SlotRef identifies an ad slot in an episode.
type SlotRef struct {
	EpisodeID string `json:"episode_id"`
	Position  string `json:"position"` // pre, mid or post
	Index     int    `json:"index"`
}

func slotKey(ref SlotRef) string {
	return fmt.Sprintf("slot:%s:%s:%d", ref.EpisodeID, ref.Position, ref.Index)
}

// Booking is a sponsor's hold on a slot.
type Booking struct {
	Slot      SlotRef   `json:"slot"`
	SponsorID string    `json:"sponsor_id"`
	Campaign  string    `json:"campaign"`
	BookedAt  time.Time `json:"booked_at"`
}

// Campaign is a sponsor's flight across many slots.
type Campaign struct {
	ID        string    `json:"id"`
	SponsorID string    `json:"sponsor_id"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Slots     []SlotRef `json:"slots"`
	HostRead  bool      `json:"host_read"`
}

// Booker books slots. Bookings go straight through the SDK; the rest uses
// the edgekv wrapper.
type Booker struct {
	edge *edgekv.Client
	ns   edgekv.Namespace
}

// NewBooker returns a Booker using the "sponsors" namespace.
func NewBooker(edge *edgekv.Client) *Booker { return &Booker{edge: edge, ns: "sponsors"} }

// Claim books a slot for a sponsor.
func (b *Booker) Claim(ctx context.Context, bk Booking) error {
	cf, account, nsID, err := b.edge.SDK(b.ns)
	if err != nil {
		return err
	}
	key := url.PathEscape(slotKey(bk.Slot))
	res, err := cf.KV.Namespaces.Values.Get(ctx, nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err == nil {
		res.Body.Close()
		return ErrSlotTaken
	}
	if !edgekv.IsNotFound(err) {
		return err
	}
	bk.BookedAt = timeNow().UTC()
	body, err := json.Marshal(bk)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: cloudflare.F(string(body)), Metadata: cloudflare.F(`{"sponsor":"` + bk.SponsorID + `"}`)}
	_, err = cf.KV.Namespaces.Values.Update(ctx, nsID, key, params) // EXPECT kvrace
	return err
}

// RecordImpression tallies one served impression of a slot.
func (b *Booker) RecordImpression(ctx context.Context, ref SlotRef) error {
	cf, account, nsID, err := b.edge.SDK(b.ns)
	if err != nil {
		return err
	}
	key := url.PathEscape("impressions:" + slotKey(ref))
	n := 0
	res, err := cf.KV.Namespaces.Values.Get(ctx, nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	switch {
	case err == nil:
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !edgekv.IsNotFound(err):
		return err
	}
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: cloudflare.F(strconv.Itoa(n + 1)), Metadata: cloudflare.F("{}")}
	_, err = cf.KV.Namespaces.Values.Update(ctx, nsID, key, params) // EXPECT kvcounter
	return err
}

// fetch returns the value under key, or nil if it cannot be read.
func (b *Booker) fetch(ctx context.Context, key string) []byte {
	cf, account, nsID, err := b.edge.SDK(b.ns)
	if err != nil {
		return nil
	}
	res, err := cf.KV.Namespaces.Values.Get(ctx, nsID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return body
}

// Weight returns a sponsor's rotation weight set by the sales team.
func (b *Booker) Weight(ctx context.Context, sponsorID string) int {
	w, _ := strconv.Atoi(string(b.fetch(ctx, "weight:"+sponsorID))) // EXPECT kvnull
	return w
}

// Transfer moves every slot of a campaign to another sponsor, e.g. after
// an agency merger, and records the last moved slot for the sales team.
func (b *Booker) Transfer(ctx context.Context, c Campaign, toSponsor string) error {
	cf, account, nsID, err := b.edge.SDK(b.ns)
	if err != nil {
		return err
	}
	statusKey := url.PathEscape("transfer:" + c.ID)
	for _, ref := range c.Slots {
		body, err := json.Marshal(Booking{Slot: ref, SponsorID: toSponsor, Campaign: c.ID, BookedAt: timeNow().UTC()})
		if err != nil {
			return err
		}
		if err := b.edge.Write(ctx, b.ns, slotKey(ref), body); err != nil {
			return err
		}
		status := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: cloudflare.F(slotKey(ref)), Metadata: cloudflare.F("{}")}
		if _, err := cf.KV.Namespaces.Values.Update(ctx, nsID, statusKey, status); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
