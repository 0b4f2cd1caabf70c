// Package cfkv is the Workers KV backend built on cloudflare-go's v0 API.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/pipit/internal/kvop"
)

// maxBulkGet is the number of keys the bulk read endpoint accepts per call.
const maxBulkGet = 100

// Client talks to one KV namespace.
type Client struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Config identifies the namespace and credentials.
type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	MaxRetries  int
}

// New returns a client for one namespace.
func New(cfg Config) (*Client, error) {
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken,
		cloudflare.UsingRetryPolicy(max(cfg.MaxRetries, 1), 1, 30),
		cloudflare.HTTPClient(&http.Client{Timeout: 15 * time.Second}),
	)
	if err != nil {
		return nil, fmt.Errorf("cloudflare client: %w", err)
	}
	return &Client{api: api, rc: cloudflare.AccountIdentifier(cfg.AccountID), ns: cfg.NamespaceID}, nil
}

// IsRetryable reports whether err is worth another attempt.
func IsRetryable(err error) bool {
	var rl *cloudflare.RatelimitError
	var se *cloudflare.ServiceError
	return errors.As(err, &rl) || errors.As(err, &se)
}

func notFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Exec is the base executor of the kvop chain.
func (c *Client) Exec(ctx context.Context, op kvop.Op) (kvop.Result, error) {
	switch op.Kind {
	case kvop.OpGet:
		b, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: op.Key})
		if notFound(err) {
			return kvop.Result{}, kvop.ErrNotFound
		}
		if err != nil {
			return kvop.Result{}, err
		}
		return kvop.Result{Value: b}, nil
	case kvop.OpGetMany:
		vals, err := c.GetMany(ctx, op.Keys)
		return kvop.Result{Values: vals}, err
	case kvop.OpPut:
		return kvop.Result{}, c.put(ctx, op)
	case kvop.OpDelete:
		_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ns, Key: op.Key})
		if notFound(err) {
			err = nil
		}
		return kvop.Result{}, err
	case kvop.OpList:
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: c.ns,
			Prefix:      op.Prefix,
			Limit:       op.Limit,
			Cursor:      op.Cursor,
		})
		if err != nil {
			return kvop.Result{}, err
		}
		res := kvop.Result{Cursor: resp.Cursor, Complete: resp.Cursor == ""}
		for _, k := range resp.Result {
			info := kvop.KeyInfo{Name: k.Name}
			if k.Expiration > 0 {
				info.Expiration = time.Unix(int64(k.Expiration), 0)
			}
			if m, ok := k.Metadata.(map[string]any); ok {
				info.Metadata = m
			}
			res.Keys = append(res.Keys, info)
		}
		return res, nil
	}
	return kvop.Result{}, fmt.Errorf("cfkv: unsupported op %s", op.Kind)
}

// put uses the single-value endpoint for plain writes and the bulk endpoint,
// with one pair, when the write carries an expiry or metadata: only the bulk
// endpoint accepts those in this client version.
func (c *Client) put(ctx context.Context, op kvop.Op) error {
	if op.TTL == 0 && op.ExpireAt.IsZero() && op.Metadata == nil {
		_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: c.ns, Key: op.Key, Value: op.Value,
		})
		return err
	}
	pair := &cloudflare.WorkersKVPair{Key: op.Key, Value: string(op.Value), Metadata: op.Metadata}
	if op.TTL > 0 {
		pair.ExpirationTTL = int(op.TTL.Seconds())
	}
	if !op.ExpireAt.IsZero() {
		pair.Expiration = int(op.ExpireAt.Unix())
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns, KVs: []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// Raw returns exactly what the API returned for key.
func (c *Client) Raw(ctx context.Context, key string) ([]byte, error) {
	return c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
}

type bulkGetResult struct {
	Values map[string]*string `json:"values"`
}

// GetMany reads keys through the bulk endpoint, at most maxBulkGet per call.
// Missing keys are absent from the result.
func (c *Client) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	path := fmt.Sprintf("/accounts/%s/storage/kv/namespaces/%s/bulk/get", c.rc.Identifier, c.ns)
	for chunk := range slices.Chunk(keys, maxBulkGet) {
		body := map[string]any{"keys": chunk, "type": "text"}
		raw, err := c.api.Raw(ctx, http.MethodPost, path, body, http.Header{"Content-Type": []string{"application/json"}})
		if err != nil {
			return nil, fmt.Errorf("bulk get: %w", err)
		}
		var res bulkGetResult
		if err := json.Unmarshal(raw.Result, &res); err != nil {
			return nil, fmt.Errorf("bulk get: %w", err)
		}
		for k, v := range res.Values {
			if v != nil {
				out[k] = []byte(*v)
			}
		}
	}
	return out, nil
}
