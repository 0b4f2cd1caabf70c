// Package trips stores trip status and receipts for riders.
package trips

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/kea-mobility/kea/internal/kvstore"
)

// Receipt is the rider-facing record of a finished trip.
type Receipt struct {
	TripID      string    `json:"trip_id"`
	RiderID     string    `json:"rider_id"`
	DriverID    string    `json:"driver_id"`
	FareCents   int64     `json:"fare_cents"`
	Surge       float64   `json:"surge"`
	PromoCode   string    `json:"promo,omitempty"`
	Adjustments []string  `json:"adjustments,omitempty"`
	Finished    time.Time `json:"finished"`
}

// Status is what the edge Worker shows while a trip is in progress.
type Status struct {
	TripID   string    `json:"trip_id"`
	State    string    `json:"state"`
	DriverID string    `json:"driver_id"`
	ETA      int       `json:"eta_s"`
	Updated  time.Time `json:"updated"`
}

// Ledger is the system of record for trips (Postgres behind the billing
// service); KV holds the copies the rider apps read.
type Ledger interface {
	Receipt(ctx context.Context, tripID string) (Receipt, error)
}

// Trip IDs are "<riderID>:<sequence>", so receipt keys group by rider.
func receiptKey(tripID string) string { return "trip:rcpt:" + tripID }
func statusKey(tripID string) string  { return "trip:status:" + tripID }
func riderIndexKey(riderID string) string {
	return "rider:" + riderID + ":receipts"
}

// Receipts writes and reads receipts.
type Receipts struct {
	kv     *kvstore.Store
	ledger Ledger
}

// NewReceipts returns a receipt store over kv.
func NewReceipts(kv *kvstore.Store, ledger Ledger) *Receipts {
	return &Receipts{kv: kv, ledger: ledger}
}

// Save stores the receipt of a finished trip and indexes it for the rider.
func (r *Receipts) Save(ctx context.Context, rc Receipt) error {
	body, _ := json.Marshal(rc)
	if err := r.kv.PutForever(ctx, receiptKey(rc.TripID), body); err != nil {
		return err
	}
	return r.index(ctx, rc.RiderID, rc.TripID)
}

func (r *Receipts) index(ctx context.Context, riderID, tripID string) error {
	var ids []string
	raw, err := r.kv.Get(ctx, riderIndexKey(riderID))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	ids = append([]string{tripID}, ids...)
	if len(ids) > 50 {
		ids = ids[:50]
	}
	body, _ := json.Marshal(ids)
	return r.kv.PutForever(ctx, riderIndexKey(riderID), body) // EXPECT kvrace
}

// Get returns a receipt, rebuilding the KV copy from the ledger when needed.
func (r *Receipts) Get(ctx context.Context, tripID string) (Receipt, error) {
	var rc Receipt
	raw, err := r.kv.Get(ctx, receiptKey(tripID)) // EXPECT kvnull
	if err == nil && json.Unmarshal(raw, &rc) == nil {
		return rc, nil
	}
	rc, err = r.ledger.Receipt(ctx, tripID)
	if err != nil {
		return Receipt{}, err
	}
	body, _ := json.Marshal(rc)
	return rc, r.kv.PutForever(ctx, receiptKey(tripID), body)
}

// Summary returns a receipt for the monthly statement, rebuilding it when
// the KV copy is missing.
func (r *Receipts) Summary(ctx context.Context, tripID string) (Receipt, error) {
	var rc Receipt
	raw, found, err := r.kv.Lookup(ctx, receiptKey(tripID))
	if err != nil {
		return rc, err
	}
	if found {
		return rc, json.Unmarshal(raw, &rc)
	}
	if rc, err = r.ledger.Receipt(ctx, tripID); err != nil {
		return rc, err
	}
	body, _ := json.Marshal(rc)
	return rc, r.kv.PutForever(ctx, receiptKey(tripID), body)
}

// Statement collects a rider's receipts for the monthly e-mail.
func (r *Receipts) Statement(ctx context.Context, riderID string, month time.Month) ([]Receipt, error) {
	api, rc, ns := r.kv.Client()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: ns,
		Prefix:      "trip:rcpt:" + riderID + ":",
	})
	if err != nil {
		return nil, err
	}
	var out []Receipt
	for _, k := range resp.Result {
		raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k.Name}) // EXPECT kvlist
		if err != nil {
			log.Printf("trips: statement %s: %v", k.Name, err)
			continue
		}
		var rcpt Receipt
		if json.Unmarshal(raw, &rcpt) == nil && rcpt.Finished.Month() == month {
			out = append(out, rcpt)
		}
	}
	return out, nil
}

// RecentPage returns one page of a rider's receipt keys for the app's
// history screen together with the cursor for the next page.
func (r *Receipts) RecentPage(ctx context.Context, riderID, cursor string) ([]string, string, error) {
	api, rc, ns := r.kv.Client()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      "trip:rcpt:" + riderID + ":",
		Cursor:      cursor,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "trip:rcpt:"+riderID+":"))
	}
	return ids, resp.Cursor, nil
}

// StatusBoard publishes trip status for the edge Worker.
type StatusBoard struct {
	kv *kvstore.Store
}

// NewStatusBoard returns a status board over kv.
func NewStatusBoard(kv *kvstore.Store) *StatusBoard { return &StatusBoard{kv: kv} }

// Publish writes the trip's current status. Status records live until the
// trip is archived, a day at most.
func (b *StatusBoard) Publish(ctx context.Context, st Status) error {
	st.Updated = time.Now()
	body, _ := json.Marshal(st)
	return b.kv.Put(ctx, statusKey(st.TripID), body, 24*time.Hour)
}

// Draft holds a quote-locked fare while the rider confirms.
func (b *StatusBoard) Draft(ctx context.Context, tripID string, fareCents int64) error {
	api, rc, ns := b.kv.Client()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "trip:draft:" + tripID,
			Value:      fmt.Sprint(fareCents),
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		}},
	})
	return err
}

// Hold keeps a scheduled trip's fare until its pickup time.
func (b *StatusBoard) Hold(ctx context.Context, tripID string, fareCents int64, pickup time.Time) error {
	api, rc, ns := b.kv.Client()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "trip:hold:" + tripID,
			Value:      fmt.Sprint(fareCents),
			Expiration: int(pickup.Add(30 * time.Minute).UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}

// Reserve keeps a booking slot for a scheduled trip for ten minutes.
func (b *StatusBoard) Reserve(ctx context.Context, tripID, driverID string) error {
	return b.kv.PutUntil(ctx, "trip:slot:"+tripID, []byte(driverID), time.Now().Add(10*time.Minute))
}

// DriverOf returns the driver assigned to tripID, or "" when none is.
func (b *StatusBoard) DriverOf(ctx context.Context, tripID string) (string, error) {
	api, rc, ns := b.kv.Client()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "trip:slot:" + tripID})
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", nil
	}
	return string(raw), nil
}

// Assigned reports whether a driver holds the trip's slot.
func (b *StatusBoard) Assigned(ctx context.Context, tripID string) (bool, error) {
	api, rc, ns := b.kv.Client()
	_, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "trip:slot:" + tripID})
	var nf cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return false, nil
	}
	return err == nil, err
}
