package cfkv

import (
	"context"
	"encoding/json"
	"io"
	"iter"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// NewClient builds an SDK client from an API token.
func NewClient(token string) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2))
}

// Record is one exported entry.
type Record struct {
	Key        string `json:"key"`
	Value      string `json:"value"`
	Expiration int64  `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
}

// Pages yields the keys under prefix one page at a time.
func (n *Namespace) Pages(ctx context.Context, prefix string) iter.Seq2[[]kv.Key, error] {
	return func(yield func([]kv.Key, error) bool) {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(n.accountID),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(1000.0),
		}
		for {
			page, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params) // EXPECT kvlist
			if err != nil {
				yield(nil, translate(err))
				return
			}
			if !yield(page.Result, nil) || page.ResultInfo.Cursor == "" {
				return
			}
			params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
		}
	}
}

// Export writes every entry under prefix to w as JSON lines and returns how many were written.
func (n *Namespace) Export(ctx context.Context, prefix string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	written := 0
	for page, err := range n.Pages(ctx, prefix) {
		if err != nil {
			return written, err
		}
		names := make([]string, len(page))
		for i, k := range page {
			names[i] = k.Name
		}
		values, err := n.GetMany(ctx, names)
		if err != nil {
			return written, err
		}
		for _, k := range page {
			if v, ok := values[k.Name]; ok {
				if err := enc.Encode(Record{k.Name, string(v), int64(k.Expiration), k.Metadata}); err != nil {
					return written, err
				}
				written++
			}
		}
	}
	return written, nil
}
