//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	maxRenderPages = 50
	maxStatPages   = 10
)

// Cities served by this deployment.
var Cities = []string{"lisbon", "porto", "madrid", "valencia"}

// Scheduled runs the Worker's cron triggers.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := kv()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		for _, city := range Cities {
			if err := refreshOpenIndex(ns, city); err != nil {
				return err
			}
		}
		return publishCartStats(ns)
	case "30 3 * * *":
		return dropRenderedMenus(ns)
	}
	return nil
}

// refreshOpenIndex rebuilds a city's list of open restaurants.
func refreshOpenIndex(ns *cloudflare.KVNamespace, city string) error {
	prefix := "restaurant:" + city + ":"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	var open []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			rid := strings.TrimPrefix(k.Name, prefix)
			av, err := ns.GetString("avail:"+rid, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if av == nullValue || strings.Contains(av, `"open":true`) {
				open = append(open, rid)
			}
		}
		if res.Cursor == "" {
			break
		}
		opts.Cursor = res.Cursor
	}
	raw, _ := json.Marshal(open)
	return ns.PutString("edge:open-index:"+city, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900})
}

// dropRenderedMenus clears every rendered menu after a renderer deploy.
func dropRenderedMenus(ns *cloudflare.KVNamespace) error {
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "menu:", Limit: 1000})
	for pages := 1; err == nil; pages++ {
		for _, k := range res.Keys {
			if strings.Contains(k.Name, ":render:") {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete || pages >= maxRenderPages {
			return nil
		}
		res, err = ns.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return err
}

// publishCartStats counts open carts for the ops dashboard.
func publishCartStats(ns *cloudflare.KVNamespace) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "cart:", Limit: 1000}
	count, complete := 0, false
	for range maxStatPages {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		count += len(res.Keys)
		if res.ListComplete {
			complete = true
			break
		}
		opts.Cursor = res.Cursor
	}
	v := strconv.Itoa(count)
	if !complete {
		v += "+"
	}
	return ns.PutString("edge:stats:open-carts", v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
}
