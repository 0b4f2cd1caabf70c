// Package tariffs publishes tariffs from the pricing database to the KV
// namespace the worker reads, and pre-computes the reservation slot prices.
package tariffs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/wren/backend/kvrest"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// Tariff is a tariff as published to the edge.
type Tariff struct {
	ID          string    `json:"id"`
	Revision    int       `json:"revision"`
	Currency    string    `json:"currency"`
	EnergyPrice float64   `json:"energy_price"`
	TimePrice   float64   `json:"time_price"`
	ParkingFee  float64   `json:"parking_fee"`
	ValidUntil  time.Time `json:"valid_until,omitzero"`
	PeakFactor  float64   `json:"peak_factor"`
}

const (
	slotsPerDay = 96 // 15-minute slots
	horizonDays = 150
)

// termsSummary is the consumer-law price summary the edge must show next to
// every tariff in Germany (PAngV); it is attached to each tariff key.
const termsSummary = "Prices include VAT at the statutory rate. The energy price is charged per kilowatt-hour " +
	"delivered as measured by the calibrated meter of the charging station (Eichrecht); the signed meter " +
	"values are available in the app for every session. The time-based fee is charged per started minute " +
	"while the vehicle is connected and charging, and the parking fee per started minute after charging " +
	"has ended and the vehicle is still connected, starting after a grace period of fifteen minutes. " +
	"Reservations are charged at the time-based fee from the start of the reserved slot. Ad-hoc charging " +
	"without registration is possible at all stations by card payment at the terminal or by scanning the " +
	"QR code; the same prices apply. Roaming partners may apply different prices which are shown in their " +
	"own apps. Payment holds of up to the displayed amount are placed on the payment method when a session " +
	"starts and released or captured within seven days. Complaints about billing can be raised within " +
	"thirty days of the invoice date via the support form or in writing to the address in the imprint. " +
	"The operator of the charging station is responsible for the charging service; the operator's name " +
	"and address are shown on the station and in the app."

// Publisher pushes tariffs to the edge.
type Publisher struct {
	rest      *kvrest.Client
	values    *kv.NamespaceValueService
	accountID string
	namespace string
	cacheFor  time.Duration
	log       *slog.Logger
}

// NewPublisher wires a Publisher. cacheFor is how long the edge keeps a
// published tariff before it must be republished.
func NewPublisher(rest *kvrest.Client, values *kv.NamespaceValueService, accountID, namespace string, cacheFor time.Duration, log *slog.Logger) *Publisher {
	return &Publisher{rest: rest, values: values, accountID: accountID, namespace: namespace, cacheFor: cacheFor, log: log}
}

// Publish writes every tariff with the bulk endpoint.
func (p *Publisher) Publish(ctx context.Context, ts []Tariff) error {
	entries := make([]kvrest.BulkEntry, 0, len(ts))
	for _, t := range ts {
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		entries = append(entries, kvrest.BulkEntry{
			Key:           keys.Tariff(t.ID),
			Value:         string(b),
			ExpirationTTL: int64(lifetime.Days(7).Seconds()),
			Metadata:      map[string]any{"rev": t.Revision, "cur": t.Currency},
		})
	}
	var failed []string
	for batch := range slices.Chunk(entries, kvrest.MaxBulkWrite) {
		f, err := p.rest.BulkPut(ctx, "tariffs", batch)
		if err != nil {
			return err
		}
		failed = append(failed, f...)
	}
	if len(failed) > 0 {
		return fmt.Errorf("tariffs: %d keys not written, first %s", len(failed), failed[0])
	}
	return nil
}

// PrewarmSlots writes the price of every reservation slot of a site over
// the booking horizon, so the worker never computes prices itself.
func (p *Publisher) PrewarmSlots(ctx context.Context, siteID string, t Tariff, from time.Time) error {
	first := lifetime.StartOfHour(from.UTC()).Add(time.Hour)
	entries := make([]kvrest.BulkEntry, 0, slotsPerDay*horizonDays)
	for i := 0; i < slotsPerDay*horizonDays; i++ {
		start := first.Add(time.Duration(i) * 15 * time.Minute)
		price := t.TimePrice / 4
		if h := start.Hour(); h >= 17 && h < 21 {
			price *= t.PeakFactor
		}
		entries = append(entries, kvrest.BulkEntry{
			Key:        "slot-price:" + url.PathEscape(siteID) + ":" + strconv.FormatInt(start.Unix()/60, 10),
			Value:      strconv.FormatFloat(price, 'f', 4, 64),
			Expiration: start.Add(lifetime.ReservationGrace).Unix(),
		})
	}
	failed, err := p.rest.BulkPut(ctx, "tariffs", entries) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		p.log.Warn("slot prices not written", "site", siteID, "count", len(failed))
	}
	return nil
}

// AttachTerms stores the tariff with the price summary in its metadata, so
// the app's list view can show it without reading each value.
func (p *Publisher) AttachTerms(ctx context.Context, t Tariff) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = p.values.Update(ctx, p.namespace, url.PathEscape(keys.Tariff(t.ID)), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		Metadata:  cloudflare.F[any](map[string]string{"rev": strconv.Itoa(t.Revision), "terms": termsSummary}), // EXPECT kvlimits
	})
	return err
}

// Activate makes a set of revised tariffs current, one after another, and
// records which revision is live for the worker's cache busting.
func (p *Publisher) Activate(ctx context.Context, revised []Tariff) error {
	for _, t := range revised {
		b, _ := json.Marshal(t)
		if _, err := p.values.Update(ctx, p.namespace, url.PathEscape(keys.Tariff(t.ID)), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(p.accountID),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		}); err != nil {
			return err
		}
		live := fmt.Sprintf("%s@%d", t.ID, t.Revision)
		if _, err := p.values.Update(ctx, p.namespace, "tariffs:live-revision", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(p.accountID),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(live)),
		}); err != nil {
			return err
		}
	}
	return nil
}

// Republish rewrites one tariff through the REST client, for the support tool. The edge keeps it for cacheFor.
func (p *Publisher) Republish(ctx context.Context, t Tariff) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return p.rest.Put(ctx, "tariffs", keys.Tariff(t.ID), b, p.cacheFor)
}

// StaleSample returns one page of published tariff keys, for the
// consistency probe that compares them with the database.
func (p *Publisher) StaleSample(ctx context.Context, cursor string) ([]string, string, error) {
	ks, next, err := p.rest.ListKeys(ctx, "tariffs", "tariff:", cursor, 5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(ks))
	for _, k := range ks {
		names = append(names, k.Name)
	}
	return names, next, nil
}
