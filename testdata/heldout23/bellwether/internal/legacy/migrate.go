// Package legacy moves data from the 2022 "civic-polls" namespace layout
// into the current one. It predates the SDK upgrade and still uses the v2
// client, which is all the migration needs.
package legacy

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// batchSize is how many pairs go into one bulk write.
const batchSize = 20000

// Migrator copies and renames keys from one namespace to another.
type Migrator struct {
	api     *kv.NamespaceService
	account string
	src     string
	dst     string
	ttl     time.Duration
	batch   []kv.NamespaceBulkUpdateParamsBody
	copied  int
}

// NewMigrator returns a Migrator. ttl is applied to copied keys.
func NewMigrator(client *cloudflare.Client, account, src, dst string, ttl time.Duration) *Migrator {
	return &Migrator{api: client.KV.Namespaces, account: account, src: src, dst: dst, ttl: ttl}
}

// rename maps an old key to its new name.
func rename(old string) string {
	switch {
	case strings.HasPrefix(old, "polls/"):
		return "poll:" + strings.TrimPrefix(old, "polls/")
	case strings.HasPrefix(old, "slugs/"):
		return "slug:" + strings.TrimPrefix(old, "slugs/")
	default:
		return old
	}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Run copies every key under prefix that sorts after the last checkpoint.
func (m *Migrator) Run(ctx context.Context, prefix string) error {
	after := m.checkpoint(ctx)
	keys, err := m.listAll(ctx, prefix)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Name <= after {
			continue
		}
		val, err := m.api.Values.Get(ctx, m.src, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.account)}) // EXPECT kvlist
		if notFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("legacy: read %s: %w", k.Name, err)
		}
		m.batch = append(m.batch, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(rename(k.Name)),
			Value:         cloudflare.F(*val),
			ExpirationTTL: cloudflare.F(float64(m.ttl)), // EXPECT kvttl
		})
		if len(m.batch) >= batchSize {
			if err := m.flush(ctx); err != nil {
				return err
			}
		}
		_, err = m.api.Values.Update(ctx, m.dst, "migration:checkpoint", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(m.account),
			Value:     cloudflare.F(k.Name),
			Metadata:  cloudflare.F(`{"tool":"bellwether-migrate"}`),
		})
		if err != nil {
			return err
		}
	}
	return m.flush(ctx)
}

func (m *Migrator) checkpoint(ctx context.Context) string {
	v, _ := m.api.Values.Get(ctx, m.dst, "migration:checkpoint", kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.account)}) // EXPECT kvnull
	return strings.TrimSpace(*v)
}

func (m *Migrator) listAll(ctx context.Context, prefix string) ([]kv.Key, error) {
	var out []kv.Key
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := m.api.Keys.List(ctx, m.src, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Result) == 0 {
			break
		}
		out = append(out, page.Result...)
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

func (m *Migrator) flush(ctx context.Context) error {
	if len(m.batch) == 0 {
		return nil
	}
	_, err := m.api.Bulk.Update(ctx, m.dst, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(m.account), Body: m.batch}) // EXPECT kvlimits
	if err != nil {
		return fmt.Errorf("legacy: bulk write of %d pairs: %w", len(m.batch), err)
	}
	m.copied += len(m.batch)
	log.Printf("legacy: copied %d keys", m.copied)
	m.batch = m.batch[:0]
	return nil
}

// CopyOne copies a single key, for fixing up stragglers by hand.
func (m *Migrator) CopyOne(ctx context.Context, key string) error {
	val, err := m.api.Values.Get(ctx, m.src, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.account)})
	if err != nil {
		return fmt.Errorf("legacy: read %s: %w", key, err)
	}
	body := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(rename(key)), Value: cloudflare.F(*val)}
	if m.ttl > 0 {
		body.ExpirationTTL = cloudflare.F(float64(max(m.ttl, time.Minute) / time.Second))
	}
	_, err = m.api.Bulk.Update(ctx, m.dst, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(m.account),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}
