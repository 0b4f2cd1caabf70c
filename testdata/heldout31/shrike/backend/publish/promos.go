package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/shrike/backend/cfkv"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/pricing"
)

type Campaign struct {
	Name   string         `json:"name"`
	Banner string         `json:"banner"`
	Ends   time.Time      `json:"ends"`
	Promos []domain.Promo `json:"promos"`
}

// campaignTerms is shown next to every code of a campaign.
const campaignTerms = `Promotional codes are issued by Ride Commons Cooperative for use on the
community bike-share network only. Each code may be redeemed once per rider account unless the
campaign states otherwise, and only while the campaign is running. Discounts apply to ride time
charges and unlock fees, not to membership fees, damage charges, lost-bike fees or taxes. Codes
have no cash value, cannot be exchanged, transferred, sold or combined with other offers, and are
void where prohibited. Ride Commons may end or change a campaign at any time, including withdrawing
codes that were obtained through bulk sign-ups, automated means or resale. Riders must hold a valid
account in good standing and accept the network's rental agreement. Any discount is applied when the
trip ends; if a trip is disputed, the discount is recalculated together with the fare. Questions about
a campaign can be sent to support through the app; please include the code and the trip number.
Campaign codes printed on partner transit tickets follow the partner's own terms in addition to these.`

type Promos struct {
	store *cfkv.Store
}

func NewPromos(store *cfkv.Store) *Promos { return &Promos{store: store} }

// Publish writes every promo of c, refusing codes that already exist.
func (p *Promos) Publish(ctx context.Context, c Campaign) error {
	for _, promo := range c.Promos {
		key := "promo:" + promo.Code
		if _, err := p.store.Get(ctx, key); err == nil {
			return fmt.Errorf("promo %s: %w", promo.Code, httpx.ErrConflict)
		} else if !errors.Is(err, ports.ErrNotFound) {
			return err
		}
		promo.Campaign = c.Name
		b, _ := json.Marshal(promo)
		if err := p.store.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
			return err
		}
	}
	return p.publishArtwork(ctx, c)
}

func (p *Promos) publishArtwork(ctx context.Context, c Campaign) error {
	s := p.store
	_, err := s.API.Values.Update(ctx, s.Namespace, "banner:"+c.Name, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.Account),
		Value:      cloudflare.F(c.Banner),
		Expiration: cloudflare.F(float64(c.Ends.UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	_, err = s.API.Values.Update(ctx, s.Namespace, "terms:"+c.Name, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.Account),
		Value:      cloudflare.F(c.Name),
		Expiration: cloudflare.F(float64(c.Ends.Add(7 * 24 * time.Hour).Unix())),
		Metadata:   cloudflare.F[any](map[string]string{"terms": campaignTerms}), // EXPECT kvlimits
	})
	return err
}

var fareZones = [...]string{"downtown", "riverside", "university", "harbor", "old-town", "airport", "north", "south"}

const minutesPerDay = 24 * 60

// PublishFareGrid precomputes the fare of every trip length up to a day in
// every zone, so dock controllers can price offline.
func PublishFareGrid(ctx context.Context, s *cfkv.Store, t pricing.Table) error {
	start := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(fareZones)*minutesPerDay)
	for _, zone := range fareZones {
		for m := range minutesPerDay {
			q := t.Price(pricing.Trip{Start: start, End: start.Add(time.Duration(m+1) * time.Minute), Zone: zone})
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("fare:grid:v%d:%s:%d", t.Version, zone, m+1)),
				Value: cloudflare.F(strconv.FormatInt(int64(q.Total), 10)),
			})
		}
	}
	res, err := s.API.BulkUpdate(ctx, s.Namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.Account), Body: body}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("fare grid: %d keys failed", len(res.UnsuccessfulKeys))
	}
	return nil
}
