// Package payouts credits couriers for each delivery and pays them out in
// nightly batches through the bank.
package payouts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"
	"go.temporal.io/sdk/activity"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const balancePrefix = "payout:balance:"

// Bank sends money.
type Bank interface {
	Transfer(ctx context.Context, courierID string, cents int64, reference string) (string, error)
}

type Credit struct {
	CourierID   string
	OrderID     string
	AmountCents int64
}

type Payout struct {
	ID          string `json:"id"`
	CourierID   string `json:"courierId"`
	AmountCents int64  `json:"amountCents"`
}

type Batch struct {
	ID      string
	Payouts []Payout
}

// Activities are registered with worker.RegisterActivity.
type Activities struct {
	KV   *kvstore.Namespace
	Bank Bank
}

// CreditCourier adds a delivery fee to the courier's running balance.
func (a *Activities) CreditCourier(ctx context.Context, c Credit) error {
	key := balancePrefix + c.CourierID
	var cents int64
	raw, err := a.KV.Get(ctx, key)
	switch {
	case err == nil:
		if cents, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("balance %s: %w", c.CourierID, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	cents += c.AmountCents
	return a.KV.Put(ctx, key, []byte(strconv.FormatInt(cents, 10)), 0) // EXPECT kvcounter|kvrace
}

// SettleBatch sends one batch to the bank, resuming after the last payout a
// previous attempt reported through its heartbeat.
func (a *Activities) SettleBatch(ctx context.Context, b Batch) (int, error) {
	start := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &start)
	}
	for i := start; i < len(b.Payouts); i++ {
		p := b.Payouts[i]
		ref, err := a.Bank.Transfer(ctx, p.CourierID, p.AmountCents, p.ID)
		if err != nil {
			return i, err
		}
		receipt, _ := json.Marshal(map[string]any{"payout": p, "bankRef": ref, "at": time.Now().UTC()})
		if err := a.KV.Put(ctx, "payout:receipt:"+p.ID, receipt, 90*24*time.Hour); err != nil {
			return i, err
		}
		progress := fmt.Sprintf(`{"done":%d,"total":%d}`, i+1, len(b.Payouts))
		if err := a.KV.Put(ctx, "payout:progress:"+b.ID, []byte(progress), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return i, err
		}
		activity.RecordHeartbeat(ctx, i+1)
	}
	return len(b.Payouts), nil
}

// Balances reads every courier balance for the nightly batch.
func (a *Activities) Balances(ctx context.Context) (map[string]int64, error) {
	api := a.KV.API()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, a.KV.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.KV.AccountID()),
		Prefix:    cloudflare.F(balancePrefix),
	})
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}

	out := make(map[string]int64, len(names))
	for start := 0; start < len(names); start += 100 {
		end := min(start+100, len(names))
		res, err := api.KV.Namespaces.BulkGet(ctx, a.KV.ID(), kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(a.KV.AccountID()),
			Keys:      cloudflare.F(names[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		page, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return nil, errors.New("unexpected bulk get shape")
		}
		for name, v := range page.Values {
			s, ok := v.(shared.UnionString)
			if !ok {
				continue
			}
			if cents, err := strconv.ParseInt(string(s), 10, 64); err == nil {
				out[strings.TrimPrefix(name, balancePrefix)] = cents
			}
		}
	}
	return out, nil
}

// ResetBalances zeroes the balances that were paid out, in one bulk write.
func (a *Activities) ResetBalances(ctx context.Context, paid []string) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(paid))
	for _, courierID := range paid {
		pairs = append(pairs, kvstore.Pair(balancePrefix+courierID, []byte("0"), 0))
	}
	return a.KV.BulkPut(ctx, pairs)
}
