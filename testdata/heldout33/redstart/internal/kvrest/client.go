// Package kvrest is the backend's KV adapter over the Cloudflare REST API
// (cloudflare-go). The admin backend publishes experiments, runs rollouts and
// audits tenants' keys through it.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/exptrack/redstart/internal/retry"
	"github.com/exptrack/redstart/internal/uow"
)

const (
	// minTTL is the shortest expiration KV accepts.
	minTTL = time.Minute
	// bulkMax is the most pairs one bulk request may carry.
	bulkMax = 10_000
	// maxValue caps how much of a value Get reads.
	maxValue = 25 << 20
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// ErrStop ends an Each walk early; Each then returns nil.
var ErrStop = errors.New("kvrest: stop walking")

// Client talks to the KV namespaces of one Cloudflare account.
type Client struct {
	API       *cloudflare.Client
	AccountID string
}

// New returns a client authenticated with an API token.
func New(token, accountID string) *Client {
	return &Client{
		API:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		AccountID: accountID,
	}
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsThrottled reports whether err is a 429 from the API.
func IsThrottled(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
}

// Get reads the value of key; it returns ErrNotFound when there is none.
func (c *Client) Get(ctx context.Context, ns, key string) ([]byte, error) {
	resp, err := c.API.KV.Namespaces.Values.Get(ctx, ns, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvrest: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, maxValue))
}

// Put writes value under key. TTLs below the KV minimum are raised to it; a
// zero ttl keeps the key until it is deleted.
func (c *Client) Put(ctx context.Context, ns, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		if ttl < minTTL {
			ttl = minTTL
		}
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := c.API.KV.Namespaces.Values.Update(ctx, ns, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kvrest: put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, ns, key string) error {
	_, err := c.API.KV.Namespaces.Values.Delete(ctx, ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kvrest: delete %s: %w", key, err)
	}
	return nil
}

// Each calls fn for every key under prefix. fn may return ErrStop to end the
// walk early.
func (c *Client) Each(ctx context.Context, ns, prefix string, fn func(k kv.Key) error) error {
	pager := c.API.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	for pager.Next() {
		if err := fn(pager.Current()); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return pager.Err()
}

// Page returns one page of keys under prefix and the cursor of the next page
// ("" when there is none).
func (c *Client) Page(ctx context.Context, ns, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.API.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return nil, "", fmt.Errorf("kvrest: list %s*: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Commit writes the queued puts with bulk writes of at most 10,000 pairs and
// the queued deletes with bulk deletes, then resets u. Keys the API reports
// as unsuccessful are retried.
func (c *Client) Commit(ctx context.Context, ns string, u *uow.UnitOfWork) error {
	var puts []kv.NamespaceBulkUpdateParamsBody
	var dels []string
	for _, op := range u.Ops() {
		switch op.Kind {
		case uow.KindPut:
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(op.Key),
				Value: cloudflare.F(op.Value),
			}
			if op.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(op.TTL.Seconds())
			}
			if op.Meta != nil {
				b.Metadata = cloudflare.F[any](op.Meta)
			}
			puts = append(puts, b)
		case uow.KindDelete:
			dels = append(dels, op.Key)
		}
	}
	for start := 0; start < len(puts); start += bulkMax {
		chunk := puts[start:min(start+bulkMax, len(puts))]
		if err := c.bulkPut(ctx, ns, chunk); err != nil {
			return err
		}
	}
	for start := 0; start < len(dels); start += bulkMax {
		chunk := dels[start:min(start+bulkMax, len(dels))]
		err := retry.Do(ctx, retry.Patient, func(ctx context.Context) error {
			_, err := c.API.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(c.AccountID),
				Body:      chunk,
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("kvrest: bulk delete: %w", err)
		}
	}
	u.Reset()
	return nil
}

func (c *Client) bulkPut(ctx context.Context, ns string, body []kv.NamespaceBulkUpdateParamsBody) error {
	return retry.Do(ctx, retry.Patient, func(ctx context.Context) error {
		res, err := c.API.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.AccountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) == 0 {
			return nil
		}
		failed := make(map[string]bool, len(res.UnsuccessfulKeys))
		for _, k := range res.UnsuccessfulKeys {
			failed[k] = true
		}
		var again []kv.NamespaceBulkUpdateParamsBody
		for _, b := range body {
			if failed[b.Key.Value] {
				again = append(again, b)
			}
		}
		body = again
		return fmt.Errorf("kvrest: %d keys not written", len(again))
	})
}
