//go:build js && wasm

package board

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"merganser/internal/edgekv"
)

// defaultFilter is the query the lobby screens send when nobody has picked
// a filter on the touch screen.
const defaultFilter = "kinds=desk,standing-desk,phone-booth,meeting-room-s,meeting-room-m,meeting-room-l,event-space" +
	"&amenities=monitor,dock-usb-c,dock-thunderbolt,whiteboard,video-conf,speakerphone,accessible,natural-light,quiet-zone" +
	"&floors=ground,mezzanine,first,second,third,roof-terrace&sort=floor,kind,name&include=next_free,held_until,capacity" +
	"&hide=out_of_service,staff_only,private_office&tz=Europe/Lisbon&lang=en,pt,es,fr,de&layout=grid&density=comfortable" +
	"&refresh=auto&accessibility=high-contrast,large-type,screen-reader-hints&legend=show&clock=show&weather=hide" +
	"&branding=merganser-default&theme=light&columns=auto&rows=auto&paging=rotate&rotate_seconds=20&footer=show"

// filterKey is where the rendered default-filter board is kept.
const filterKey = "board:filter:" + defaultFilter

// RefreshReport summarises one refresh run.
type RefreshReport struct {
	Sites   int
	Slots   int
	Held    int
	Skipped []string
}

// Refresh rebuilds the board of each site from the origin and the current
// holds. It runs from the cron trigger every five minutes.
func (b *Board) Refresh(ctx context.Context, ns *edgekv.Namespace, sites []string, rep *RefreshReport) error {
	var cfg struct {
		TTL    time.Duration
		Prefix string
	}
	cfg.TTL = 30 * time.Second // EXPECT kvttl
	cfg.Prefix = "board:view:"

	held, err := heldResources(b.ns)
	if err != nil {
		return fmt.Errorf("board: holds: %w", err)
	}
	for _, site := range sites {
		status, body, err := b.fromOrigin(ctx, site)
		if err != nil || status != 200 {
			rep.Skipped = append(rep.Skipped, site)
			continue
		}
		var v View
		if err := json.Unmarshal(body, &v); err != nil {
			rep.Skipped = append(rep.Skipped, site)
			continue
		}
		for i := range v.Slots {
			if _, ok := held[v.Slots[i].Resource]; ok {
				v.Slots[i].Free = false
				rep.Held++
			}
			out, _ := json.Marshal(v.Slots[:i+1])
			if err := b.ns.PutString("board:snapshot:"+site, string(out), nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		v.Generated = time.Now().UTC()
		raw, _ := json.Marshal(v)
		if err := ns.Put(ctx, cfg.Prefix+site, string(raw), cfg.TTL); err != nil {
			return err
		}
		rep.Sites++
		rep.Slots += len(v.Slots)
	}
	if raw, err := b.renderDefault(ctx); err == nil {
		return b.ns.PutString(filterKey, raw, &kv.PutOptions{ExpirationTTL: 600}) // EXPECT kvlimits
	}
	return nil
}

func (b *Board) renderDefault(ctx context.Context) (string, error) {
	_, body, err := b.fromOrigin(ctx, "all?"+defaultFilter)
	return string(body), err
}

// heldResources returns the resources that currently carry a hold.
func heldResources(ns *kv.Namespace) (map[string]string, error) {
	held := map[string]string{}
	opts := &kv.ListOptions{Prefix: "hold:"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			member, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			parts := strings.SplitN(strings.TrimPrefix(k.Name, "hold:"), ":", 3)
			if len(parts) >= 2 {
				held[parts[1]] = member
			}
		}
		if res.ListComplete {
			return held, nil
		}
		opts.Cursor = res.Cursor
	}
}

// SeedDefaults writes the static board entries a new site starts with.
func SeedDefaults(ns *kv.Namespace, site string) error {
	for _, e := range []struct {
		key   string
		value string
		ttl   int
	}{
		{"site:" + site, site, 0},
		{"board:banner:" + site, "Welcome to Merganser " + site, 0},
		{"board:notice:" + site + ":opening", "Opening week: free coffee on every floor", 14 * 24 * 3600},
		{"board:notice:" + site + ":wifi", "Wi-Fi password rotates tonight", 45}, // EXPECT kvttl
	} {
		var opts *kv.PutOptions
		if e.ttl > 0 {
			opts = &kv.PutOptions{ExpirationTTL: e.ttl}
		}
		if err := ns.PutString(e.key, e.value, opts); err != nil {
			return fmt.Errorf("board: seed %s: %w", e.key, err)
		}
	}
	return nil
}

// Prune removes expired notices of site, looking at no more than a few
// pages per run; the next cron tick continues where this one stopped.
func Prune(ns *kv.Namespace, site, cursor string, now time.Time) (string, int, error) {
	const maxPages = 5
	removed := 0
	prefix := "board:notice:" + site + ":"
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return cursor, removed, err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(now.Add(time.Hour)) {
				continue
			}
			if strings.HasSuffix(k.Name, ":draft") {
				if err := ns.Delete(k.Name); err != nil {
					return cursor, removed, err
				}
				removed++
			}
		}
		if res.ListComplete {
			return "", removed, nil
		}
		cursor = res.Cursor
	}
	return cursor, removed, nil
}

// ArchiveNotices copies every notice of site into one archive document.
func ArchiveNotices(ns *kv.Namespace, site string) (int, error) {
	var names []string
	opts := &kv.ListOptions{Prefix: "board:notice:" + site + ":", Limit: 1000}
	for pages := 0; pages < 20; pages++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	raw, _ := json.Marshal(names)
	return len(names), ns.PutString("archive:notices:"+site+":"+time.Now().UTC().Format("2006-01-02"), string(raw), nil)
}
