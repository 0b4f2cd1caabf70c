//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// PurgeLatest drops cached @latest answers so that new releases show up
// quickly; scheduled every 15 minutes.
func (e *Edge) PurgeLatest(ctx context.Context) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "gomod:latest:", Limit: 1000}
	for page := 0; page < 10; page++ {
		res, err := e.Mod.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := e.Mod.Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// Heartbeat records that the scheduled handler ran; once per cron tick.
func (e *Edge) Heartbeat(ctx context.Context) error {
	return e.Mod.PutString("edge:cron:heartbeat", time.Now().UTC().Format(time.RFC3339),
		&cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

type digest struct {
	Day     string   `json:"day"`
	Modules []string `json:"modules"`
}

// DailyDigest snapshots the module index for the download report mailer and
// keeps it until the end of the day.
func (e *Edge) DailyDigest(ctx context.Context) error {
	now := time.Now().UTC()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	var mods []string
	cursor := ""
	for page := 0; page < 5; page++ {
		res, err := e.Mod.List(&cloudflare.KVNamespaceListOptions{Prefix: "gomod:versions:", Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			mods = append(mods, strings.TrimPrefix(k.Name, "gomod:versions:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	raw, _ := json.Marshal(digest{Day: now.Format("2006-01-02"), Modules: mods})
	return e.Mod.PutString("dl:digest:"+now.Format("2006-01-02"), string(raw), &cloudflare.KVNamespacePutOptions{
		Expiration: int(endOfDay.UnixMilli()), // EXPECT kvttl
	})
}

// Prefetch warms the edge cache for the modules named in the config list.
func (e *Edge) Prefetch(ctx context.Context, mods []string) error {
	for _, m := range mods {
		v, err := e.Mod.GetString("gomod:versions:"+m, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600})
		if err != nil {
			return err
		}
		if v == kvMissing {
			continue
		}
		var versions []string
		if err := json.Unmarshal([]byte(v), &versions); err != nil {
			return err
		}
		if len(versions) == 0 {
			continue
		}
		latest := versions[len(versions)-1]
		info, err := e.Mod.GetString("gomod:info:"+m+"@"+latest, nil)
		if err != nil || info == kvMissing {
			continue
		}
		_ = e.Mod.PutString("gomod:latest:"+m, info, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900})
	}
	return nil
}
