// Package maint holds the maintenance operations behind estuary-admin:
// counting, exporting, sampling and migrating keys, and probing a namespace.
package maint

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrBudget means a walk stopped at its page budget before the end.
var ErrBudget = errors.New("maint: page budget exhausted")

// ErrMissing means a key does not exist.
var ErrMissing = errors.New("maint: no such key")

// Tool runs maintenance against one account's namespaces.
type Tool struct {
	client     *cloudflare.Client
	accountID  string
	pageBudget int
	pageSize   int
}

func New(client *cloudflare.Client, accountID string, pageBudget, pageSize int) *Tool {
	return &Tool{client: client, accountID: accountID, pageBudget: pageBudget, pageSize: pageSize}
}

// Count counts keys under prefix, reading at most the page budget.
func (t *Tool) Count(ctx context.Context, ns, prefix string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(t.pageSize)),
	}
	n := 0
	for range t.pageBudget {
		res, err := t.client.KV.Namespaces.Keys.List(ctx, ns, params)
		if err != nil {
			return n, err
		}
		n += len(res.Result)
		if res.ResultInfo.Cursors.After == "" {
			return n, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursors.After)
	}
	return n, ErrBudget
}

// Export writes every key name under prefix to w, one per line.
func (t *Tool) Export(ctx context.Context, ns, prefix string, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	iter := t.client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		if _, err := fmt.Fprintf(bw, "%s\t%d\n", k.Name, int64(k.Expiration)); err != nil {
			return n, err
		}
		n++
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// Sample returns a few key names under prefix so an operator can eyeball
// the key layout.
func (t *Tool) Sample(ctx context.Context, ns, prefix string) ([]string, error) {
	res, err := t.client.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// Get returns one raw value.
func (t *Tool) Get(ctx context.Context, ns, key string) ([]byte, error) {
	res, err := t.client.KV.Namespaces.Values.Get(ctx, ns, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, ErrMissing
	}
	return io.ReadAll(res.Body)
}

// Migrate renames every key under from to the same suffix under to, 100
// keys per page so each page's values fit one bulk read. The cursor is
// recorded as it goes so an operator can see how far a long migration got.
func (t *Tool) Migrate(ctx context.Context, ns, from, to string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.accountID),
		Prefix:    cloudflare.F(from),
		Limit:     cloudflare.F(100.0),
	}
	moved := 0
	for range t.pageBudget {
		res, err := t.client.KV.Namespaces.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return moved, err
		}
		if len(res.Result) > 0 {
			n, err := t.movePage(ctx, ns, from, to, res.Result)
			moved += n
			if err != nil {
				return moved, err
			}
		}
		next := res.ResultInfo.Cursors.After
		_, err = t.client.KV.Namespaces.Values.Update(ctx, ns, url.PathEscape("maint/migrate/"+from), kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(t.accountID),
			Value:     cloudflare.F(next),
		})
		if err != nil || next == "" {
			return moved, err
		}
		params = kv.NamespaceKeyListParams{
			AccountID: params.AccountID,
			Limit:     params.Limit,
			Cursor:    cloudflare.F(next),
		}
	}
	return moved, ErrBudget
}

func (t *Tool) movePage(ctx context.Context, ns, from, to string, keys []kv.Key) (int, error) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	res, err := t.client.KV.Namespaces.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(t.accountID),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return 0, err
	}
	result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return 0, fmt.Errorf("maint: unexpected bulk get shape %T", res.AsUnion())
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(keys))
	copied := make([]string, 0, len(keys))
	for _, k := range keys {
		v, ok := result.Values[k.Name].(shared.UnionString)
		if !ok {
			continue
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(to + strings.TrimPrefix(k.Name, from)),
			Value:    cloudflare.F(string(v)),
			Metadata: cloudflare.F(k.Metadata),
		})
		copied = append(copied, k.Name)
	}
	up, err := t.client.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(t.accountID),
		Body:      body,
	})
	if err == nil && len(up.UnsuccessfulKeys) > 0 {
		err = fmt.Errorf("maint: %d keys not copied", len(up.UnsuccessfulKeys))
	}
	if err != nil {
		return 0, err
	}
	_, err = t.client.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(t.accountID),
		Body:      copied,
	})
	return len(copied), err
}

const probeSize = 26 << 20

// Probe writes and reads back a large value to check the namespace and the
// path to the API end to end.
func (t *Tool) Probe(ctx context.Context, ns string) error {
	const key = "maint/probe"
	_, err := t.client.KV.Namespaces.Values.Update(ctx, ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(t.accountID),
		Value:         cloudflare.F(strings.Repeat("p", probeSize)), // EXPECT kvlimits
		ExpirationTTL: cloudflare.F(300.0),
	})
	if err != nil {
		return fmt.Errorf("maint: probe write: %w", err)
	}
	b, err := t.Get(ctx, ns, key)
	if err != nil {
		return fmt.Errorf("maint: probe read: %w", err)
	}
	if len(b) != probeSize {
		return fmt.Errorf("maint: probe read %d bytes, wrote %d", len(b), probeSize)
	}
	return nil
}
