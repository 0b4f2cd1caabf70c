package jobs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	cf6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/ops/internal/config"
)

// bulkChunk stays well under the 10,000 pairs the bulk endpoint accepts.
const bulkChunk = 5000

// GeoFeed is one download of the IP-prefix → country feed.
type GeoFeed struct {
	ValidUntil time.Time // from the feed's header
	Rows       []GeoRow
}

// GeoRow maps a prefix to a country.
type GeoRow struct {
	Prefix  string
	Country string
}

func (r *Runner) bulkWrite(ctx context.Context, ns string, body []kv.NamespaceBulkUpdateParamsBody) error {
	for chunk := range slices.Chunk(body, bulkChunk) {
		res, err := r.V6.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cf6.F(r.Account),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("bulk write: %d keys failed, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// SyncGeo pushes the prefix → country table to the edge. Entries expire when
// the feed says its data is no longer valid.
func (r *Runner) SyncGeo(ctx context.Context, feed GeoFeed) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(feed.Rows))
	for _, row := range feed.Rows {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cf6.F("geo:" + row.Prefix),
			Value:      cf6.F(row.Country),
			Expiration: cf6.F(float64(feed.ValidUntil.UnixMilli())), // EXPECT kvttl
		})
	}
	return r.bulkWrite(ctx, config.NamespaceEdge, body)
}

// ASNRow maps an autonomous system number to its holder.
type ASNRow struct {
	ASN  int
	Name string
}

// asnRefresh is how often the ASN job runs; entries outlive one missed run.
const asnRefresh = 7 * 24 * time.Hour

// SyncASN pushes the ASN → organisation table.
func (r *Runner) SyncASN(ctx context.Context, rows []ASNRow) error {
	ttl := asnRefresh + 24*time.Hour
	body := make([]kv.NamespaceBulkUpdateParamsBody, len(rows))
	for i, row := range rows {
		var b kv.NamespaceBulkUpdateParamsBody
		b.Key = cf6.F("asn-name:" + strconv.Itoa(row.ASN))
		b.Value = cf6.F(row.Name)
		b.ExpirationTTL = cf6.F(ttl.Seconds())
		body[i] = b
	}
	return r.bulkWrite(ctx, config.NamespaceEdge, body)
}
