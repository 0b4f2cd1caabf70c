package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

// fareTermsNotice is the consumer-law notice that must accompany every
// published fare.
const fareTermsNotice = "Fares are per person and include all mandatory taxes, fees and carrier-imposed charges known at the time of publication. Optional services such as checked baggage beyond the included allowance, advance seat selection, priority boarding and in-flight catering may incur additional charges payable to the operating carrier. " +
	"Fares are subject to availability in the booking class shown and may change until the booking is ticketed. Changes after ticketing are permitted only where the fare rules allow them and are subject to the change fee stated in the fare rules plus any fare difference. " +
	"Refunds, where permitted, are issued to the original form of payment less any cancellation fee; government taxes are refundable on request for unused segments. Failure to use a segment may result in cancellation of all subsequent segments of the itinerary. " +
	"Passengers are responsible for holding valid travel documents, visas and health certificates for every country on the itinerary. The operating carrier's conditions of carriage apply, including its liability limits under the Montreal Convention. " +
	"Compensation and assistance for denied boarding, cancellation and long delay are governed by Regulation (EC) No 261/2004 where applicable."

// PublishedFare is one row of the revenue-management export.
type PublishedFare struct {
	Route     string       `json:"route"` // e.g. "FRA-JFK"
	FareBasis string       `json:"fare_basis"`
	Fare      domain.Money `json:"fare"`
}

// ImportFares publishes fares with the legal notice and fare basis as
// listing metadata, so the fare list page needs no value reads.
func (a *Admin) ImportFares(ctx context.Context, fares []PublishedFare) error {
	for _, f := range fares {
		raw, err := json.Marshal(f)
		if err != nil {
			return err
		}
		key := "fare:" + f.Route + ":" + f.FareBasis
		md := map[string]string{"basis": f.FareBasis, "price": f.Fare.String(), "terms": fareTermsNotice} // EXPECT kvlimits
		if err := a.rest.PutWithMetadata(ctx, key, raw, md, a.retention); err != nil {
			return fmt.Errorf("fare %s: %w", key, err)
		}
	}
	return nil
}

// A charter series: every departure gets its full seat map up front.
const (
	charterDepartures = 50
	seatsPerDeparture = 250
)

// SeedCharterSeats creates one availability key per seat of a charter
// series.
func (a *Admin) SeedCharterSeats(ctx context.Context, series string, first time.Time) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, charterDepartures*seatsPerDeparture)
	for d := range charterDepartures {
		day := first.AddDate(0, 0, 7*d).Format(time.DateOnly)
		for s := range seatsPerDeparture {
			seat := fmt.Sprintf("%d%c", s/6+1, 'A'+s%6)
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:        "seat:" + series + ":" + day + ":" + seat,
				Value:      "free",
				Expiration: int(first.AddDate(0, 0, 7*d+1).Unix()),
			})
		}
	}
	api, rc, ns := a.store.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}) // EXPECT kvlimits
	return err
}

const backfillCheckpointKey = "ops:backfill-summaries:cursor"

// BackfillSummaries rebuilds trip list projections, 100 trips per page, for
// at most maxPages pages starting at cursor. The cursor reached is saved
// after every page so an interrupted run can be resumed by hand.
func (a *Admin) BackfillSummaries(ctx context.Context, cursor string, maxPages int) (string, error) {
	q := storage.ListQuery{Prefix: "trip:", Cursor: cursor, Limit: storage.MaxBulkGet}
	for range maxPages {
		page, err := a.store.List(ctx, q)
		if err != nil {
			return q.Cursor, err
		}
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		trips, err := a.rest.GetMany(ctx, names)
		if err != nil {
			return q.Cursor, err
		}
		pairs := make([]storage.Pair, 0, len(trips))
		for _, raw := range trips {
			var t domain.Trip
			if json.Unmarshal(raw, &t) != nil {
				continue
			}
			sum, _ := json.Marshal(t.Summarize())
			pairs = append(pairs, storage.Pair{Key: "trip-summary:" + t.ID, Value: sum, TTL: ttlpolicy.TripSummary})
		}
		if err := a.store.PutMany(ctx, pairs); err != nil {
			return q.Cursor, err
		}
		if err := a.store.Put(ctx, backfillCheckpointKey, []byte(page.Cursor)); err != nil { // EXPECT kvhotkey
			return q.Cursor, err
		}
		if page.Complete {
			return "", nil
		}
		q.Cursor = page.Cursor
	}
	return q.Cursor, nil
}

// Country is reference data for the booking flow.
type Country struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	VisaNote string `json:"visa_note,omitempty"`
}

// Promo is a discount code.
type Promo struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	ValidUntil time.Time `json:"valid_until"`
}

// ImportReference loads countries and promo codes. Each record has its own
// key; promo codes expire with their validity.
func (a *Admin) ImportReference(ctx context.Context, countries []Country, promos []Promo) error {
	for _, c := range countries {
		if err := a.kvs.Entry("geo:country:" + strings.ToUpper(c.Code)).JSON(c).Put(ctx); err != nil {
			return err
		}
	}
	pairs := make([]storage.Pair, 0, len(promos))
	for _, p := range promos {
		raw, _ := json.Marshal(p)
		ttl := ttlpolicy.Clamp(time.Until(p.ValidUntil))
		pairs = append(pairs, storage.Pair{Key: "discount:" + strings.ToUpper(p.Code), Value: raw, TTL: ttl})
	}
	return a.store.PutMany(ctx, pairs)
}
