package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// retentionNotice is attached to archived days so that anyone browsing the
// namespace in the dashboard knows why the data is there.
const retentionNotice = "Archived analytics data. This key holds aggregated, non-personal page-view " +
	"totals for one site and one calendar day (UTC). It was written by the quetzal archive job when " +
	"the raw events of that day passed the site's retention period. No visitor identifiers, IP " +
	"addresses, user agents or full URLs with query strings are stored here: paths are normalised and " +
	"truncated, referrers are reduced to their host name, and countries come from the edge location. " +
	"The value is kept until the site is deleted or the customer asks for erasure under Art. 17 GDPR, " +
	"in which case the purge job removes every key under the site prefix. Do not edit these values by " +
	"hand: the dashboard and the public counters read them directly and a malformed value breaks the " +
	"yearly report. Questions: privacy@quetzal.example. Ticket queue: DATA. Runbook: archive-retention. " +
	"Owner team: analytics-platform. This notice is repeated on every archived key on purpose so that " +
	"it survives exports of individual keys into other tools. Last reviewed by the data protection " +
	"officer for the 2024 records of processing activities."

// backfillBatch is how many archived days are written per request.
const backfillBatch = 20000

// ArchivedDay is one aggregated day of one site.
type ArchivedDay struct {
	Site   string         `json:"site"`
	Day    string         `json:"day"`
	Totals map[string]int `json:"totals"`
}

// Archive writes aggregated days in bulk.
func (r *Reporter) Archive(ctx context.Context, days []ArchivedDay) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(days))
	for _, d := range days {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F("archive:" + d.Site + ":" + d.Day),
			Value:    cloudflare.F(string(b)),
			Metadata: cloudflare.F(map[string]interface{}{"notice": retentionNotice, "site": d.Site}), // EXPECT kvlimits
		})
	}
	for i := 0; i < len(pairs); i += backfillBatch {
		_, err := r.st.Client().KV.Namespaces.Bulk.Update(ctx, r.st.NamespaceID(), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(r.st.AccountID()), Body: pairs[i:min(i+backfillBatch, len(pairs))]}) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("archive batch at %d: %w", i, err)
		}
	}
	return nil
}

// WarmPublicCounters copies the current totals of public sites into the keys
// the edge counters read, in batches the bulk endpoint accepts.
func (r *Reporter) WarmPublicCounters(ctx context.Context, totals map[string]int) error {
	const batch = 10000
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(totals))
	for site, n := range totals {
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("total:" + site),
			Value:         cloudflare.F(fmt.Sprint(n)),
			ExpirationTTL: cloudflare.F(float64(15 * 60)),
			Metadata:      cloudflare.F(map[string]interface{}{"src": "warm"}),
		})
	}
	for i := 0; i < len(pairs); i += batch {
		if err := r.st.PutMany(ctx, pairs[i:min(i+batch, len(pairs))]); err != nil {
			return err
		}
	}
	return nil
}

// ShareLink stores a read-only share token for a report that stops working
// at expires.
func (r *Reporter) ShareLink(ctx context.Context, site, token string, expires time.Time) error {
	return r.st.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{{
		Key:        cloudflare.F("share:" + token),
		Value:      cloudflare.F(site),
		Expiration: cloudflare.F(float64(expires.Unix() * 1000)), // EXPECT kvttl
	}})
}
