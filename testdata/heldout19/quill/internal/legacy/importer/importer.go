// Package importer loads Quill 1 exports into KV. It predates the move to the
// current SDK and still uses cloudflare-go v2.
package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// Record is one line of a Quill 1 export.
type Record struct {
	Key   string         `json:"key"`
	Value string         `json:"value"`
	TTL   int64          `json:"ttl,omitempty"` // seconds remaining at export time
	Meta  map[string]any `json:"meta,omitempty"`
}

// chunkSize is how many records go into one bulk request.
const chunkSize = 20000

// Importer writes into one namespace.
type Importer struct {
	cf        *cloudflare.Client
	accountID string
	namespace string
}

// New returns an Importer authenticated with token.
func New(token, accountID, namespace string) *Importer {
	return &Importer{
		cf:        cloudflare.NewClient(option.WithAPIToken(token)),
		accountID: accountID,
		namespace: namespace,
	}
}

// Import writes recs in bulk and returns how many were written.
func (im *Importer) Import(ctx context.Context, recs []Record) (int, error) {
	written := 0
	var errs []error
	for start := 0; start < len(recs); start += chunkSize {
		chunk := recs[start:min(start+chunkSize, len(recs))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, r := range chunk {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(r.Key),
				Value: cloudflare.F(r.Value),
			}
			if r.TTL > 0 {
				item.Expiration = cloudflare.F(float64(r.TTL)) // EXPECT kvttl
			}
			if len(r.Meta) > 0 {
				item.Metadata = cloudflare.F[any](r.Meta)
			}
			body = append(body, item)
		}
		_, err := im.cf.KV.Namespaces.Bulk.Update(ctx, im.namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(im.accountID),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("importer: records %d-%d: %w", start, start+len(chunk)-1, err))
			continue
		}
		written += len(chunk)
	}
	return written, errors.Join(errs...)
}

// Verify reads back a sample and reports keys that differ or are missing.
func (im *Importer) Verify(ctx context.Context, sample []Record) ([]string, error) {
	var bad []string
	for _, r := range sample {
		v, err := im.cf.KV.Namespaces.Values.Get(ctx, im.namespace, r.Key, kv.NamespaceValueGetParams{
			AccountID: cloudflare.F(im.accountID),
		})
		var apiErr *cloudflare.Error
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
			bad = append(bad, r.Key)
		case err != nil:
			return bad, err
		case v == nil || *v != r.Value:
			bad = append(bad, r.Key)
		}
	}
	return bad, nil
}

// Keys lists the imported keys under prefix, reading at most maxPages pages.
func (im *Importer) Keys(ctx context.Context, prefix string, maxPages int) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(im.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var names []string
	for page := 0; page < maxPages; page++ {
		res, err := im.cf.KV.Namespaces.Keys.List(ctx, im.namespace, params) // EXPECT kvlist
		if err != nil {
			return names, err
		}
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(im.accountID),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return names, nil
}
