package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"bittern/internal/iterx"
	"bittern/internal/jobs"
	"bittern/internal/model"
	"bittern/internal/origin"
	"bittern/internal/restkv"
)

// Origin is the origin API client the jobs use; cmd/admin configures it.
var Origin = &origin.Client{Base: "https://origin.bittern.fm"}

func init() {
	jobs.RegisterWithTimeout("reindex", 10*time.Minute, reindex)
	jobs.Register("recount-views", recountViews)
	jobs.Register("seed-geo", seedGeo)
	jobs.Register("purge-previews", purgePreviews)
	jobs.Register("publish-site", publishSite)
	jobs.Register("prune-site-pages", pruneSitePages)
	jobs.Register("backfill-settings", backfillSettings)
}

type searchDoc struct {
	ShowID string   `json:"show_id"`
	Title  string   `json:"title"`
	Terms  []string `json:"terms"`
}

func isEpisodeKey(k string) bool { return strings.Count(k, ":") == 3 && strings.Contains(k, ":ep:") }

// reindex rebuilds the search documents of every episode from the episode
// records the Worker stores under "show:<id>:ep:<id>".
func reindex(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	done := 0
	for batch, err := range iterx.Chunk(iterx.Filter(ns.Keys(ctx, "show:"), isEpisodeKey), restkv.MaxBulkGet) {
		if err != nil {
			return err
		}
		vals, err := ns.GetMany(ctx, batch)
		if err != nil {
			return err
		}
		pairs := make([]restkv.Pair, 0, len(vals))
		for _, raw := range vals {
			var ep model.Episode
			if err := json.Unmarshal([]byte(raw), &ep); err != nil {
				continue
			}
			doc := searchDoc{ShowID: ep.ShowID, Title: ep.Title, Terms: strings.Fields(strings.ToLower(ep.Title))}
			b, _ := json.Marshal(doc)
			pairs = append(pairs, restkv.Pair{Key: "search:" + ep.ID, Value: string(b)})
		}
		if err := ns.PutMany(ctx, pairs); err != nil {
			return err
		}
		done += len(batch)
		if err := ns.Put(ctx, "reindex:checkpoint", []byte(batch[len(batch)-1]), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	slog.InfoContext(ctx, "reindex done", "episodes", done)
	return nil
}

// recountViews copies the warehouse's view totals into KV, where the public
// episode pages read them.
func recountViews(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	totals := map[string]int{}
	if err := Origin.Get(ctx, "/v1/analytics/views", &totals); err != nil {
		return err
	}
	pairs := make([]restkv.Pair, 0, len(totals))
	for ep, n := range totals {
		pairs = append(pairs, restkv.Pair{Key: "views:" + ep, Value: strconv.Itoa(n)})
	}
	return ns.PutMany(ctx, pairs) // DEBATABLE kvcounter
}

// seedGeo loads the IPv4 /16 → region table the Worker uses to label
// downloads. It changes a few times a year.
func seedGeo(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	var regions []string
	if err := Origin.Get(ctx, "/v1/geo/ipv4-16", &regions); err != nil {
		return err
	}
	if len(regions) != 256*256 {
		return fmt.Errorf("admin: region table has %d rows", len(regions))
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, 256*256)
	for hi := range 256 {
		for lo := range 256 {
			prefix := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(hi), byte(lo), 0, 0}), 16)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F("geo:" + prefix.String()),
				Value: cloudflare.F(regions[hi<<8|lo]),
			})
		}
	}
	_, err := ns.API.KV.Namespaces.BulkUpdate(ctx, ns.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(ns.AccountID), Body: body}) // EXPECT kvlimits
	return err
}

func showIDs(ctx context.Context) ([]string, error) {
	var ids []string
	return ids, Origin.Get(ctx, "/v1/shows?fields=id", &ids)
}

// purgePreviews removes preview links of episodes that are already public.
// Preview keys normally expire on their own; this catches the ones written
// before they had an expiry.
func purgePreviews(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	pager := ns.API.KV.Namespaces.Keys.ListAutoPaging(ctx, ns.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("show:"),
	})
	var stale []string
	for pager.Next() {
		k := pager.Current()
		if strings.Contains(k.Name, ":preview:") && k.Expiration == 0 {
			stale = append(stale, k.Name)
		}
	}
	if err := pager.Err(); err != nil {
		return err
	}
	return ns.DeleteMany(ctx, stale)
}

const rightsNotice = `All audio, artwork, show notes and transcripts published through Bittern remain the property of
their creators. They are licensed to Bittern solely for distribution to the subscribers of the show they were
published in. Redistribution, re-hosting, public performance, inclusion in compilations or aggregated feeds,
transcription for commercial purposes, and use as training material for machine learning systems are prohibited
without the prior written consent of the creator. Private feed URLs are personal to the subscriber they were issued
to and must not be shared; feeds that are polled from many unrelated networks are revoked without notice. Creators
can report unauthorised copies to rights@bittern.fm; we act on complete notices within two working days. Nothing in
this notice limits the rights of listeners under the copyright exceptions that apply in their country, such as
quotation for the purpose of criticism or review. This notice is attached to every page of the public site.
Questions about licensing, syndication or press use go to licensing@bittern.fm.`

// siteRoot is the manifest key of the site's top level. Page manifests are
// stored under their path ("shows/abc"); the Worker strips the leading slash
// and runs path.Clean, which turns the empty path of "/" into ".".
const siteRoot = "."

const siteGenerator = "bittern-admin/3"

// publishSite writes the page manifests of the public marketing site.
func publishSite(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	ids, err := showIDs(ctx)
	if err != nil {
		return err
	}
	meta := map[string]string{"rights": rightsNotice, "generator": siteGenerator}
	for _, id := range ids {
		page := map[string]string{"template": "show", "show": id}
		if err := ns.Write("shows/" + id).Meta(meta).JSON(page).Do(ctx); err != nil { // EXPECT kvlimits
			return err
		}
	}
	root := map[string]any{"template": "home", "shows": len(ids), "generated": time.Now().UTC()}
	return ns.Write(siteRoot).JSON(root).Do(ctx) // EXPECT kvlimits
}

// pruneSitePages deletes page manifests written by an older generator; the
// next publish-site run writes them again.
func pruneSitePages(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	keys, scanErr := ns.Scan(ctx, "shows/", 0) // EXPECT kvlist
	var stale []string
	for k := range keys {
		m, _ := k.Metadata.(map[string]any)
		if m["generator"] != siteGenerator {
			stale = append(stale, k.Name)
		}
	}
	if err := scanErr(); err != nil {
		return err
	}
	slog.InfoContext(ctx, "pruning site pages", "stale", len(stale))
	return ns.DeleteMany(ctx, stale)
}

type showSettings struct {
	Explicit      bool   `json:"explicit"`
	DownloadLimit int    `json:"download_limit"`
	Theme         string `json:"theme"`
}

// backfillSettings gives shows created before settings existed the
// defaults.
func backfillSettings(ctx context.Context) error {
	ns := restkv.FromContext(ctx)
	ids, err := showIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		key := "settings:" + id
		if _, err := ns.Get(ctx, key); err == nil { // EXPECT kvnull
			continue
		}
		if err := ns.Write(key).JSON(showSettings{DownloadLimit: 500, Theme: "light"}).Do(ctx); err != nil { // DEBATABLE kvrace
			return err
		}
	}
	return nil
}
