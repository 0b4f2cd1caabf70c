//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// RefreshFeatured runs on the Worker's cron trigger (every 15 minutes) and
// rebuilds the featured-offers document from the offer keys' names.
func RefreshFeatured(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(BindingName)
	if err != nil {
		return err
	}
	const maxPages = 5
	var codes []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: "offer:", Limit: 1000, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			codes = append(codes, strings.TrimPrefix(k.Name, "offer:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	doc, _ := json.Marshal(map[string]any{"codes": codes, "at": ev.ScheduledTime.Unix()})
	return ns.PutString(featuredKey, string(doc), &kv.PutOptions{ExpirationTTL: 3600})
}
