// Package bulkkv is a wrapper over cloudflare-go/v3, whose single-value
// write takes no expiration: a value that expires is written as one pair
// of a bulk write, cut into chunks of the most pairs one request takes.
package bulkkv

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

var ErrNotFound = errors.New("bulkkv: not found")

// Space is a namespace seen through a key prefix.
type Space struct {
	api     *kv.NamespaceService
	account string
	ns      string
	prefix  string
}

func New(api *kv.NamespaceService, account, ns, prefix string) Space {
	return Space{api: api, account: account, ns: ns, prefix: prefix}
}

func (s Space) key(name string) string { return s.prefix + name }

// Entry is one pair of a bulk write.
type Entry struct {
	Name  string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

func (s Space) Get(ctx context.Context, name string) (string, error) {
	res, err := s.api.Values.Get(ctx, s.ns, s.key(name), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == 404 {
			return "", ErrNotFound
		}
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// WriteAll writes entries in bulk requests of at most 10,000 pairs.
func (s Space) WriteAll(ctx context.Context, entries []Entry) error {
	for chunk := range slices.Chunk(entries, 10_000) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			pair := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(s.key(e.Name)), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				pair.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				pair.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, pair)
		}
		if _, err := s.api.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.account), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// WriteExpiring writes one value that expires after ttl.
func (s Space) WriteExpiring(ctx context.Context, name, value string, ttl time.Duration) error {
	return s.WriteAll(ctx, []Entry{{Name: name, Value: value, TTL: ttl}})
}
