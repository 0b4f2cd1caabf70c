package receipts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/beacon/internal/consts"
)

// Admin performs bulk maintenance on the receipts namespace with the
// Cloudflare client directly.
type Admin struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	BatchSize   int
}

// Failure is kept for a week so support can answer "why didn't I get it".
type Failure struct {
	MessageID string    `json:"message_id"`
	DeviceID  string    `json:"device_id"`
	Provider  string    `json:"provider"`
	Code      string    `json:"code"`
	At        time.Time `json:"at"`
}

// RecordFailure stores a provider rejection.
func (a *Admin) RecordFailure(ctx context.Context, tenant string, f Failure) error {
	body, _ := json.Marshal(f)
	_, err := a.Client.KV.Namespaces.Values.Update(ctx, a.NamespaceID, consts.PrefixReceiptErr.Key(tenant, f.MessageID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(a.AccountID),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(time.Now().Add(7 * 24 * time.Hour).UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"code": f.Code}),
	})
	return err
}

// Purge deletes every receipt of a campaign after it has been archived.
func (a *Admin) Purge(ctx context.Context, tenant, campaign string) (int, error) {
	prefix := receiptKey(tenant, campaign, "")
	pager := a.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.AccountID),
		Prefix:    cloudflare.F(prefix),
	})
	var keys []string
	for pager.Next() {
		keys = append(keys, pager.Current().Name)
	}
	if err := pager.Err(); err != nil {
		return 0, fmt.Errorf("receipts: list %s: %w", prefix, err)
	}
	for chunk := range slices.Chunk(keys, min(max(a.BatchSize, 1), consts.BulkWriteMax)) {
		_, err := a.Client.KV.Namespaces.BulkDelete(ctx, a.NamespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(a.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
