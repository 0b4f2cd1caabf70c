package kvttl

import (
	"context"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Pairs appended in the body of a range over an iterator, inside another
// loop: the body is a closure that stores into the captured slice.
func (s *store) extendBatches(ctx context.Context, pages [][]string, until time.Time) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, page := range pages {
		for batch := range slices.Chunk(page, 100) {
			for _, k := range batch {
				body = append(body, kv.NamespaceBulkUpdateParamsBody{
					Key:        cloudflare.F(k),
					Value:      cloudflare.F("1"),
					Expiration: cloudflare.F(float64(until.UnixMilli())), // want `a Unix time in ms`
				})
			}
		}
	}
	return s.writeChunks(ctx, body)
}

// Quiet: the same in seconds.
func (s *store) extendBatchesInSeconds(ctx context.Context, pages [][]string, until time.Time) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, page := range pages {
		for batch := range slices.Chunk(page, 100) {
			for _, k := range batch {
				body = append(body, kv.NamespaceBulkUpdateParamsBody{
					Key:        cloudflare.F(k),
					Value:      cloudflare.F("1"),
					Expiration: cloudflare.F(float64(until.Unix())),
				})
			}
		}
	}
	return s.writeChunks(ctx, body)
}
