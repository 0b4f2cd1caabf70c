// Package receipts stores delivery receipts and their daily index.
package receipts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
	"github.com/limpkin-lockers/limpkin/internal/restkv"
)

// Receipt proves a parcel was placed in or collected from a locker.
type Receipt struct {
	Site        string    `json:"site"`
	Parcel      int64     `json:"parcel"`
	Door        int       `json:"door"`
	Carrier     string    `json:"carrier"`
	Delivered   time.Time `json:"delivered"`
	Collected   time.Time `json:"collected,omitzero"`
	FirstViewed time.Time `json:"first_viewed,omitzero"`
	BillingDay  int       `json:"-"`
}

// Key is the receipt's own key.
func Key(site string, parcel int64) string {
	return kvx.ParcelKey(make([]byte, 0, 40), "receipt:"+site+":", parcel)
}

// retention is the billing month the receipt falls in, plus three months.
func retention(r Receipt) time.Time {
	return kvx.EndOfBillingMonth(r.Delivered, kvx.FirstNonZero(r.BillingDay, 1)).AddDate(0, 3, 0)
}

// Store writes receipts.
type Store struct {
	NS restkv.Namespace
}

// Record writes r under its key and adds it to the site's daily index.
func (s Store) Record(ctx context.Context, r Receipt) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := s.NS.PutAt(ctx, Key(r.Site, r.Parcel), raw, retention(r).Unix()); err != nil {
		return err
	}
	return s.index(ctx, r)
}

func indexKey(site string, day time.Time) string {
	return fmt.Sprintf("receipts:index:%[1]s:%[2]s", site, day.UTC().Format("2006-01-02"))
}

func (s Store) index(ctx context.Context, r Receipt) error {
	key := indexKey(r.Site, r.Delivered)
	var parcels []int64
	raw, err := s.NS.Get(ctx, key)
	switch {
	case errors.Is(err, restkv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &parcels); err != nil {
			return err
		}
	}
	parcels = append(parcels, r.Parcel)
	out, _ := json.Marshal(parcels)
	return s.NS.PutAt(ctx, key, out, retention(r).Unix()) // EXPECT kvrace
}

// PreviewLink returns a short-lived token that renders the receipt without
// signing in, for the SMS sent at delivery.
func (s Store) PreviewLink(ctx context.Context, r Receipt) (string, error) {
	token := kvx.NewID()
	exp := time.Now().Add(30 * time.Second).Unix() // EXPECT kvttl
	return token, s.NS.PutAt(ctx, "preview:"+token, []byte(Key(r.Site, r.Parcel)), exp)
}

// ShareLink returns a token a customer can forward to someone collecting
// on their behalf; it lasts until the end of the next day.
func (s Store) ShareLink(ctx context.Context, r Receipt, loc *time.Location) (string, error) {
	token := kvx.NewID()
	exp := kvx.EndOfDay(time.Now().AddDate(0, 0, 1), loc).Unix()
	return token, s.NS.PutAt(ctx, "share:"+token, []byte(Key(r.Site, r.Parcel)), exp)
}

// Collected records the collection time in a separate key written once.
func (s Store) Collected(ctx context.Context, r Receipt, at time.Time) error {
	return s.NS.PutAt(ctx, Key(r.Site, r.Parcel)+":collected", []byte(at.UTC().Format(time.RFC3339)),
		at.AddDate(0, 0, 30).UnixMilli()) // EXPECT kvttl
}

// Lookup is a read-through cache in front of the receipt database.
func (s Store) Lookup(ctx context.Context, site string, parcel int64, load func(context.Context) (Receipt, error)) (Receipt, error) {
	var r Receipt
	key := "receipt-cache:" + site + ":" + strconv.FormatInt(parcel, 10)
	raw, _ := s.NS.Get(ctx, key)
	if len(raw) > 0 { // EXPECT kvnull
		if json.Unmarshal(raw, &r) == nil {
			return r, nil
		}
	}
	r, err := load(ctx)
	if err != nil {
		return r, err
	}
	out, _ := json.Marshal(r)
	return r, s.NS.Bind(ctx).Put(key, out, kvx.Jitter(10*time.Minute, time.Minute))
}

// View returns the receipt and records the first time the customer opened it.
func (s Store) View(ctx context.Context, site string, parcel int64) (r Receipt, err error) {
	key := Key(site, parcel)
	raw, err := s.NS.Get(ctx, key)
	if err != nil {
		return r, err
	}
	if err = json.Unmarshal(raw, &r); err != nil {
		return r, err
	}
	if !r.FirstViewed.IsZero() {
		return r, nil
	}
	defer func() {
		r.FirstViewed = time.Now().UTC()
		out, _ := json.Marshal(r)
		if perr := s.NS.PutAt(context.WithoutCancel(ctx), key, out, retention(r).Unix()); perr != nil && err == nil { // EXPECT kvrace
			err = perr
		}
	}()
	return r, nil
}

// quarantineEntry keys a receipt disputed by the carrier; the window comes
// from the carrier contract.
func quarantineEntry(site string, parcel int64, window time.Duration) (string, time.Duration) {
	return fmt.Sprintf("quarantine:%[1]s:%[2]d", site, parcel), max(2*window, 3*time.Second) // EXPECT kvttl
}

// Quarantine marks a receipt as disputed.
func (s Store) Quarantine(ctx context.Context, site string, parcel int64, window time.Duration) error {
	return s.NS.Bind(ctx).Mark(quarantineEntry(site, parcel, window))
}

// Hold marks a receipt as held for review until the end of the current week.
func (s Store) Hold(ctx context.Context, site string, parcel int64) error {
	ttl := max(time.Until(kvx.EndOfWeek(time.Now())), 10*time.Minute)
	return s.NS.Bind(ctx).Mark(fmt.Sprintf("review:%[1]s:%[2]d", site, parcel), ttl)
}
