package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// maxBulkWrite is the most pairs one bulk write accepts.
const maxBulkWrite = 10_000

// maxBulkRead is the most keys one bulk read accepts.
const maxBulkRead = 100

// Entry is one pending write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  any
}

// Batch collects writes to send with the bulk API.
type Batch []Entry

// Add appends a write.
func (b *Batch) Add(key string, value []byte, ttl time.Duration) {
	*b = append(*b, Entry{Key: key, Value: value, TTL: ttl})
}

// Flush writes the batch to ns in bulk requests of at most maxBulkWrite pairs.
// Keys the API reports as failed are returned in the error.
func (b Batch) Flush(ctx context.Context, ns Namespace) error {
	var failed []string
	for start := 0; start < len(b); start += maxBulkWrite {
		end := min(start+maxBulkWrite, len(b))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range b[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Meta != nil {
				item.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, item)
		}
		res, err := Client.KV.Namespaces.BulkUpdate(ctx, string(ns), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("bulk write %d..%d: %w", start, end, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	if len(failed) > 0 {
		return fmt.Errorf("bulk write: %d keys failed, first %q", len(failed), failed[0])
	}
	return nil
}

// BulkGet reads text values for names, maxBulkRead keys per request. Missing
// keys are absent from the result.
func BulkGet(ctx context.Context, ns Namespace, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for start := 0; start < len(names); start += maxBulkRead {
		end := min(start+maxBulkRead, len(names))
		res, err := Client.KV.Namespaces.BulkGet(ctx, string(ns), kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(AccountID),
			Keys:      cloudflare.F(names[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("bulk get: %w", err)
		}
		var decoded struct {
			Values map[string]*string `json:"values"`
		}
		if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &decoded); err != nil {
			return nil, fmt.Errorf("bulk get: %w", err)
		}
		for k, v := range decoded.Values {
			if v != nil {
				out[k] = *v
			}
		}
	}
	return out, nil
}
