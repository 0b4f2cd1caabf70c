//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"fulmar/internal/ttl"
)

const (
	listPageSize = 1000
	maxIndexKeys = 20_000
	previewTTL   = 20
)

// Scheduled is the cron entry point: it rebuilds the menu index and pulls
// the day's specials.
func (w *Worker) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	if err := w.bind(); err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		return w.rebuildIndex(ev.ScheduledTime)
	case "0 5 * * *":
		return w.pullSpecials(ctx, ev.ScheduledTime)
	}
	return nil
}

// rebuildIndex writes the list of published menus for the landing page,
// once per cron run.
func (w *Worker) rebuildIndex(at time.Time) error {
	var names []string
	opts := &kv.ListOptions{Prefix: "menu:menu:", Limit: listPageSize}
	for len(names) < maxIndexKeys {
		res, err := w.menus.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "menu:"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	slices.Sort(names)
	body, _ := json.Marshal(map[string]any{"menus": names, "built": at.Unix()})
	return w.menus.PutString("index:menus", string(body), &kv.PutOptions{ExpirationTTL: 3600})
}

// pullSpecials copies the day's specials from the POS for every venue.
func (w *Worker) pullSpecials(ctx context.Context, at time.Time) error {
	venues, err := w.venues()
	if err != nil {
		return err
	}
	endOfDay := time.Date(at.Year(), at.Month(), at.Day(), 23, 59, 0, 0, at.Location())
	for v := range slices.Values(venues) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.pos+"/specials/"+v, nil)
		res, err := w.http.Do(req)
		if err != nil {
			continue
		}
		var specials []string
		_ = json.NewDecoder(res.Body).Decode(&specials)
		res.Body.Close()
		body, _ := json.Marshal(specials)
		_ = w.menus.PutString("specials:"+v, string(body), &kv.PutOptions{
			Expiration: int(endOfDay.UnixMilli()), // EXPECT kvttl
		})
	}
	return nil
}

// venues walks the venue keys page by page.
func (w *Worker) venues() ([]string, error) {
	var out []string
	cursor := ""
	for {
		res, err := w.menus.List(&kv.ListOptions{Prefix: "venue:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "venue:"))
		}
		cursor = res.Cursor
	}
	return out, nil
}

// closedTabs returns the tabs of a venue that were closed in the last run.
func (w *Worker) closedTabs(venue string) ([]string, error) {
	var out []string
	res, err := w.tabs.List(&kv.ListOptions{Prefix: "closed:" + venue + ":", Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	for page := 1; !res.ListComplete && page < 10; page++ {
		res, err = w.tabs.List(&kv.ListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
	}
	return out, nil
}

// ArchiveTabs moves closed tabs to the archive with a week's lifetime.
func (w *Worker) ArchiveTabs(venue string) error {
	names, err := w.closedTabs(venue)
	if err != nil {
		return err
	}
	for _, name := range names {
		v, err := w.tabs.GetString(name, nil) // EXPECT kvlist
		if err != nil || v == nullValue {
			continue
		}
		_ = w.tabs.PutString("archive:"+name, v, &kv.PutOptions{ExpirationTTL: int(7 * 24 * time.Hour / time.Second)})
	}
	return nil
}

// StagePreview stores an unpublished menu for the owner's preview link.
func (w *Worker) StagePreview(venue, body string) error {
	return w.menus.PutString("preview:"+venue, body, &kv.PutOptions{ExpirationTTL: previewTTL}) // EXPECT kvttl
}

// MirrorUpstream copies an upstream document and keeps it until the upstream
// says it expires.
func (w *Worker) MirrorUpstream(r *http.Request, url, key string) error {
	res, err := w.http.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var doc json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		return err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(time.Hour.Seconds())}
	if life, ok := ttl.MaxAge(res.Header); ok {
		opts.ExpirationTTL = int(life) // EXPECT kvttl
	}
	return w.tabs.PutString(key, string(doc), opts)
}

// HoldBanner shows a banner on the venue page until the given time.
func (w *Worker) HoldBanner(venue, text string, until time.Time) error {
	if time.Until(until) < time.Minute {
		return fmt.Errorf("banner ends too soon")
	}
	return w.menus.PutString("banner:"+venue, text, &kv.PutOptions{Expiration: int(until.Unix())})
}

// CacheUpstreamHint stores the upstream's cache hint as is.
func (w *Worker) CacheUpstreamHint(res *http.Response, key, body string) error {
	life, _ := ttl.MaxAge(res.Header)
	return w.menus.PutString(key, body, &kv.PutOptions{ExpirationTTL: int(life.Seconds())}) // DEBATABLE kvttl
}
