//go:build !js

// Package slots manages delivery-slot holds. A hold keeps a slot for a
// checkout in progress and expires on its own if the order never lands.
package slots

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

// ErrTaken is returned when another checkout holds the slot.
var ErrTaken = errors.New("slots: slot taken")

const (
	slotLength   = 30 * time.Minute
	slotsPerDay  = 48
	slotsPerYear = 365 * slotsPerDay
)

// Board hands out holds.
type Board struct {
	KV  *kvstore.Store
	Cfg *config.Config
}

func token() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// holdTTL is the lifetime of a hold; an unset config falls back to a
// short default suited to the express checkout.
func (b *Board) holdTTL() time.Duration {
	if b.Cfg.HoldTTL > 0 {
		return b.Cfg.HoldTTL
	}
	return 45 * time.Second
}

// Hold reserves the slot starting at start for cartID.
func (b *Board) Hold(ctx context.Context, depot string, start time.Time, cartID string) (err error) {
	key := keys.Slot(depot, start)
	lock := key + "/lock"

	_, locked, err := b.KV.Get(ctx, lock)
	if err != nil {
		return err
	}
	if locked {
		return ErrTaken
	}
	if err := b.KV.Put(ctx, lock, []byte(cartID), time.Minute); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if derr := b.KV.Delete(ctx, lock); derr != nil && err == nil {
			err = derr
		}
	}()

	return b.KV.Put(ctx, key, []byte(cartID), b.holdTTL()) // DEBATABLE kvttl
}

// HoldExpress is the one-tap checkout: the hold only needs to survive
// the payment sheet.
func (b *Board) HoldExpress(ctx context.Context, depot string, start time.Time, cartID string) error {
	key := path.Join(keys.Slot(depot, start), "express", cartID)
	return b.KV.PutUntil(ctx, key, []byte(cartID), time.Now().Add(45*time.Second).Unix()) // EXPECT kvttl
}

// Extend keeps a hold alive until the payment window closes.
func (b *Board) Extend(ctx context.Context, depot string, start time.Time, cartID string, window time.Duration) error {
	ttl := max(time.Until(start.Add(-window)), 10*time.Second) // EXPECT kvttl
	return b.KV.Put(ctx, keys.Slot(depot, start), []byte(cartID), ttl)
}

// HoldUntilCutoff keeps a hold until the depot's order cutoff, two hours
// before the slot.
func (b *Board) HoldUntilCutoff(ctx context.Context, depot string, start time.Time, cartID string) error {
	ttl := time.Until(start.Add(-2 * time.Hour))
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return b.KV.Put(ctx, keys.Slot(depot, start), []byte(cartID), ttl)
}

// Capacity publishes how many vans each slot of a day has, one key per slot.
func (b *Board) Capacity(ctx context.Context, depot string, day time.Time, vans []int) error {
	var batch kvstore.Batch
	for i, n := range vans {
		start := day.Add(time.Duration(i) * slotLength)
		batch = batch.Add(keys.Slot(depot, start)+"/vans", strconv.Itoa(n), 3*24*3600)
	}
	return batch.Flush(ctx, b.KV)
}

// Prewarm writes an empty capacity record for every slot of the coming
// year so the Worker never sees a miss on the slot picker.
func (b *Board) Prewarm(ctx context.Context, depot string, from time.Time) error {
	api, account, ns := b.KV.Client()
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, slotsPerYear)
	for i := 0; i < slotsPerYear; i++ {
		start := from.Add(time.Duration(i) * slotLength)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(keys.Slot(depot, start) + "/vans"),
			Value: cloudflare.F("0"),
		})
	}
	res, err := api.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(account),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("slots: %d keys not stored", len(res.UnsuccessfulKeys))
	}
	return nil
}
