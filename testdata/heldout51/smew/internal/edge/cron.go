//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const maxListPages = 10

// allZones returns every zone id that has published rules.
func allZones(ns *cloudflare.KVNamespace) ([]string, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "rules:"}
	var ids []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if k.Name != "rules:version" {
				ids = append(ids, strings.TrimPrefix(k.Name, "rules:"))
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return ids, nil
}

// holdsEndingSoon returns bays whose hold ends within the next window.
func holdsEndingSoon(ns *cloudflare.KVNamespace, window time.Duration) ([]string, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "hold:", Limit: 500}
	horizon := time.Now().Add(window).Unix()
	var bays []string
	for page := 0; page < maxListPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) <= horizon {
				bays = append(bays, strings.TrimPrefix(k.Name, "hold:"))
			}
		}
		opts.Cursor = res.Cursor
	}
	return bays, nil
}

// closedBays returns every bay with an active closure notice.
func closedBays(ns *cloudflare.KVNamespace) ([]string, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "closure:", Limit: 1000}
	var bays []string
	for page := 0; page < maxListPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			bays = append(bays, strings.TrimPrefix(k.Name, "closure:"))
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return bays, nil
}

// RunScheduled is the Worker's cron task (every five minutes): it rebuilds
// the zone and closure indexes the apps download, and pages maintenance
// about EV holds that are about to lapse.
func RunScheduled(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace(ctx, "ZONES")
	if err != nil {
		return err
	}
	zones, err := allZones(ns)
	if err != nil {
		return err
	}
	closed, err := closedBays(ns)
	if err != nil {
		return err
	}
	index, _ := json.Marshal(map[string]any{"zones": zones, "closed_bays": closed, "built": time.Now().UTC()})
	if err := ns.PutString("index:zones", string(index), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil {
		return err
	}
	ending, err := holdsEndingSoon(ns, 10*time.Minute)
	if err != nil {
		return err
	}
	if len(ending) > 0 {
		body, _ := json.Marshal(ending)
		if err := ns.PutString("maintenance:holds-ending", string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}); err != nil {
			return err
		}
	}
	return ns.PutString("cron:last-run", time.Now().UTC().Format(time.RFC3339), nil)
}
