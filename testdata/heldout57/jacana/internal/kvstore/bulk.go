package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Item is one pair for PutMany.
type Item struct {
	Key        string
	Value      string
	TTLSeconds int
	Meta       any
}

// maxBulk is the REST API's pair limit per bulk write.
const maxBulk = 10_000

// PutMany writes items in bulk requests of at most maxBulk pairs and returns
// the keys the API reported as not written.
func (s *Store) PutMany(ctx context.Context, items []Item) ([]string, error) {
	var failed []string
	var errs []error
	for chunk := range slices.Chunk(items, maxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(it.Key),
				Value: cloudflare.F(it.Value),
			}
			if it.TTLSeconds > 0 {
				b.ExpirationTTL = cloudflare.F(float64(it.TTLSeconds))
			}
			if it.Meta != nil {
				b.Metadata = cloudflare.F[any](it.Meta)
			}
			body = append(body, b)
		}
		res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, errors.Join(errs...)
}

// GetMany reads up to 100 keys in one request. Missing keys are absent from
// the result.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) > 100 {
		return nil, fmt.Errorf("kvstore: GetMany takes at most 100 keys, got %d", len(keys))
	}
	res, err := s.api.KV.Namespaces.BulkGet(ctx, s.namespace, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	var env struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &env); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(env.Values))
	for k, v := range env.Values {
		if v != nil {
			out[k] = *v
		}
	}
	return out, nil
}
