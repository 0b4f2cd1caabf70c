//go:build js && wasm

package feeds

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"bittern/internal/edgekv"
	"bittern/internal/jobs"
	"bittern/internal/kvctx"
	"bittern/internal/origin"
)

func init() {
	jobs.Register("prune-feed-cache", pruneFeedCache)
	jobs.Register("rebuild-directory", rebuildDirectory)
	jobs.Register("refresh-charts", refreshCharts)
}

const maxPrunePages = 20

// pruneFeedCache removes rendered feeds that were stored without an expiry
// by an older release of the Worker.
func pruneFeedCache(ctx context.Context) error {
	c := kvctx.Cache(ctx)
	cursor := ""
	for range maxPrunePages {
		res, err := c.Page(ctx, &kv.ListOptions{Prefix: "feedxml:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			if err := c.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
		cursor = res.Cursor
	}
	return nil
}

// rebuildDirectory refreshes the list of public shows that the marketing
// site renders.
func rebuildDirectory(ctx context.Context) error {
	s := kvctx.From(ctx)
	res, err := s.Page(ctx, &kv.ListOptions{ // EXPECT kvlist
		Prefix: "showmeta:",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "showmeta:"))
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return edgekv.Cache(ctx, kvctx.Cache(ctx), "directory", string(b), 6*time.Hour)
}

// chartsURL is the trending query the marketing site's "Charts" page shows,
// one request per supported language and category.
const chartsURL = "https://api.podcastindex.example/api/1.0/podcasts/trending?max=200&since=86400" +
	"&lang=en,en-us,en-gb,de,de-de,fr,fr-fr,es,es-es,es-mx,it,nl,pt,pt-br,sv,da,no,fi,pl,cs,ja,ko,zh,zh-tw" +
	"&cat=Arts,Books,Design,Fashion,Beauty,Food,Performing-Arts,Visual-Arts,Business,Careers,Entrepreneurship," +
	"Investing,Management,Marketing,Non-Profit,Comedy,Comedy-Interviews,Improv,Stand-Up,Education,Courses," +
	"How-To,Language-Learning,Self-Improvement,Fiction,Comedy-Fiction,Drama,Science-Fiction,Government," +
	"History,Health,Fitness,Alternative-Health,Medicine,Mental-Health,Nutrition,Sexuality,Kids,Family," +
	"Education-for-Kids,Parenting,Pets,Animals,Stories-for-Kids,Leisure,Animation,Manga,Automotive,Aviation," +
	"Crafts,Games,Hobbies,Home,Garden,Video-Games,Music,Music-Commentary,Music-History,Music-Interviews,News"

// refreshCharts snapshots the upstream charts once per cron tick.
func refreshCharts(ctx context.Context) error {
	var body json.RawMessage
	if err := origin.Default.Get(ctx, "/v1/proxy?url="+url.QueryEscape(chartsURL), &body); err != nil {
		return err
	}
	return kvctx.Cache(ctx).Put(ctx, "upstream:"+chartsURL, string(body), 6*time.Hour) // EXPECT kvlimits
}
