// Package restkv reaches the game namespace through the Cloudflare REST API
// (cloudflare-go). The ops tool calls Init once at startup; the plain
// functions below use the client it sets.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kittiwake/internal/config"
	"kittiwake/internal/kverr"
)

// MinTTL is the shortest expiration KV accepts.
const MinTTL = 60 * time.Second

// MaxBulk is the most pairs one bulk write may carry.
const MaxBulk = 10_000

// Set by Init.
var (
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
)

// Init creates the API client.
func Init(cfg config.RESTConfig) error {
	if cfg.AccountID == "" || cfg.NamespaceID == "" || cfg.APIToken == "" {
		return errors.New("restkv: account, namespace and token are required")
	}
	Client = cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithRequestTimeout(cfg.Timeout),
		option.WithMaxRetries(cfg.Retries),
	)
	AccountID, NamespaceID = cfg.AccountID, cfg.NamespaceID
	return nil
}

// Get reads a value. A missing key is reported as a *kverr.MissError.
func Get(ctx context.Context, key string) ([]byte, error) {
	res, err := Client.KV.Namespaces.Values.Get(ctx, NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("restkv: %w", &kverr.MissError{Namespace: NamespaceID, Key: key})
		}
		return nil, fmt.Errorf("restkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes a value. TTLs under a minute are raised to a minute; zero
// stores the value without expiration.
func Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return put(ctx, key, value, ttl, nil)
}

func put(ctx context.Context, key string, value []byte, ttl time.Duration, meta map[string]string) error {
	if ttl > 0 && ttl < MinTTL {
		ttl = MinTTL
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	if _, err := Client.KV.Namespaces.Values.Update(ctx, NamespaceID, key, params); err != nil {
		return fmt.Errorf("restkv: put %q: %w", key, err)
	}
	return nil
}

// Delete removes a key.
func Delete(ctx context.Context, key string) error {
	_, err := Client.KV.Namespaces.Values.Delete(ctx, NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(AccountID),
	})
	if err != nil {
		return fmt.Errorf("restkv: delete %q: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page ("" when there is none).
func ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := Client.KV.Namespaces.Keys.List(ctx, NamespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("restkv: list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Loader loads raw values by key.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc adapts a function to Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]string
}

// Batch is a set of pairs written together.
type Batch []Entry

// Flush writes the batch in bulk requests of at most MaxBulk pairs.
func (b Batch) Flush(ctx context.Context) error {
	for start := 0; start < len(b); start += MaxBulk {
		chunk := b[start:min(start+MaxBulk, len(b))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if len(e.Meta) > 0 {
				item.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, item)
		}
		res, err := Client.KV.Namespaces.BulkUpdate(ctx, NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("restkv: bulk write of %d pairs: %w", len(chunk), err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("restkv: bulk write: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// Tags are key metadata.
type Tags map[string]string

// Save writes value under key with the tags as its metadata.
func (t Tags) Save(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return put(ctx, key, value, ttl, t)
}
