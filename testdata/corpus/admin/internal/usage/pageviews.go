package usage

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"sync"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/admin/internal/config"
)

// Views counts docs page views served by the backend so that the docs
// Worker can show "popular pages".
type Views struct {
	client  *cloudflare.Client
	account string

	mu    sync.Mutex
	pages map[string]int64
}

// NewViews returns an empty view tracker.
func NewViews(client *cloudflare.Client, accountID string) *Views {
	return &Views{client: client, account: accountID, pages: make(map[string]int64)}
}

// Hit records one view of page.
func (v *Views) Hit(page string) {
	v.mu.Lock()
	v.pages[page]++
	v.mu.Unlock()
}

// Publish writes the totals seen so far.
func (v *Views) Publish(ctx context.Context) error {
	v.mu.Lock()
	totals := maps.Clone(v.pages)
	v.mu.Unlock()

	var errs []error
	for page, n := range totals {
		_, err := v.client.KV.Namespaces.Values.Update(ctx, config.NSUsage, "views:"+page, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
			AccountID: cloudflare.F(v.account),
			Value:     cloudflare.F(strconv.FormatInt(n, 10)),
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
