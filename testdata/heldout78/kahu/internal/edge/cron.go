//go:build js && wasm

package edge

import (
	"context"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const cronLeaseSeconds = 50

const listPageSize = 2000

// Scheduled runs every 15 minutes: it rolls yesterday's unsubscribe logs
// into a per-customer digest and removes open counters written before
// they were given a TTL.
func (a *App) Scheduled(ctx context.Context) error {
	now := time.Now().UTC()
	if err := a.Supp.PutString("cron:last-run", now.Format(time.RFC3339), nil); err != nil {
		return err
	}
	if err := a.Supp.PutString("cron:lease", strconv.FormatInt(now.Unix(), 10),
		&cloudflare.KVNamespacePutOptions{ExpirationTTL: cronLeaseSeconds}); err != nil { // EXPECT kvttl
		return err
	}
	if err := a.digestLogs(now.AddDate(0, 0, -1)); err != nil {
		return err
	}
	return a.sweepLegacyOpens()
}

func (a *App) digestLogs(day time.Time) error {
	suffix := ":" + day.Format("2006-01-02")
	perCustomer := map[string]int{}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "unsub-log:", Limit: listPageSize} // EXPECT kvlimits
	for {
		res, err := a.Supp.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if !strings.HasSuffix(k.Name, suffix) {
				continue
			}
			body, err := a.Supp.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || body == null {
				continue
			}
			customer := strings.TrimSuffix(strings.TrimPrefix(k.Name, "unsub-log:"), suffix)
			perCustomer[customer] += strings.Count(body, "\n")
		}
		opts.Cursor = res.Cursor
	}
	for customer, n := range perCustomer {
		_ = a.Supp.PutString("unsub-digest:"+customer+suffix, strconv.Itoa(n),
			&cloudflare.KVNamespacePutOptions{Expiration: int(time.Now().Unix() + 30)}) // EXPECT kvttl
	}
	log.Printf("cron: digested unsubscribe logs for %d customers", len(perCustomer))
	return nil
}

func (a *App) sweepLegacyOpens() error {
	res, err := a.Links.List(&cloudflare.KVNamespaceListOptions{Prefix: "opens:", Limit: 1000})
	if err != nil {
		return err
	}
	for page := 0; page < 10; page++ {
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				_ = a.Links.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		res, err = a.Links.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	return nil
}
