// Package reports builds the nightly venue reports on the backend.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/saffron/internal/cfkv"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Builder builds and reads reports.
type Builder interface {
	Inventory(ctx context.Context) (map[string]int, error)
	ActiveReservations(ctx context.Context, venueID string) (int, error)
	AddCovers(ctx context.Context, venueID string, covers int) error
	Load(ctx context.Context, venueID string, day time.Time) domain.DailyReport
	Page(ctx context.Context, venueID, cursor string) ([]string, string, error)
	Recent(ctx context.Context, venueID string, budget time.Duration) ([]string, error)
}

type builder struct {
	store       cfkv.Store
	totals      storage.Store[string, int]
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// NewBuilder returns a Builder.
func NewBuilder(store cfkv.Store, client *cloudflare.Client, accountID, namespaceID string) Builder {
	return &builder{
		store:       store,
		totals:      storage.NewTyped[string, int](store, storage.IntCodec{}),
		client:      client,
		accountID:   accountID,
		namespaceID: namespaceID,
	}
}

// Inventory counts keys per top-level prefix across the whole namespace.
func (b *builder) Inventory(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	iter := b.client.KV.Namespaces.Keys.ListAutoPaging(ctx, b.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(b.accountID),
	})
	for iter.Next() {
		name := iter.Current().Name
		if i := strings.IndexAny(name, ":/"); i > 0 {
			name = name[:i]
		}
		counts[name]++
	}
	return counts, iter.Err()
}

// ActiveReservations counts a venue's stored reservations.
func (b *builder) ActiveReservations(ctx context.Context, venueID string) (int, error) {
	prefix := strings.Join([]string{"resv", venueID, ""}, ":")
	n, cursor := 0, ""
	for pages := 0; pages < 100; pages++ {
		page, err := b.store.List(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		n += len(page.Keys)
		cursor = page.Cursor
	}
	return n, nil
}

// AddCovers adds tonight's covers to the venue's running total.
func (b *builder) AddCovers(ctx context.Context, venueID string, covers int) error {
	key := fmt.Sprintf("totals:%s:covers", venueID)
	total, err := b.totals.Get(ctx, key)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	return b.totals.Put(ctx, key, total+covers) // EXPECT kvcounter
}

// Load returns a stored report.
func (b *builder) Load(ctx context.Context, venueID string, day time.Time) domain.DailyReport {
	raw, _ := b.store.Get(ctx, keys.Report(venueID, day)) // EXPECT kvnull
	var rep domain.DailyReport
	_ = json.Unmarshal(raw, &rep)
	return rep
}

// Page returns one page of report keys and the cursor for the next one.
func (b *builder) Page(ctx context.Context, venueID, cursor string) ([]string, string, error) {
	page, err := b.store.List(ctx, "report:"+venueID+":", cursor, 0)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	if page.Complete {
		return names, "", nil
	}
	return names, page.Cursor, nil
}

// Recent lists report keys until the time budget runs out or the listing ends.
func (b *builder) Recent(ctx context.Context, venueID string, budget time.Duration) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	var names []string
	cursor := ""
	for {
		select {
		case <-ctx.Done():
			return names, nil
		default:
		}
		page, err := b.store.List(ctx, "report:"+venueID+":", cursor, 500)
		if err != nil {
			return names, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Complete {
			return names, nil
		}
		cursor = page.Cursor
	}
}
