package api

import (
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

// one report per IP per link per this many seconds
const reportDedupWindow = 10

// Report lets visitors report a link as spam or phishing.
func Report(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	stats, err := cloudflare.NewKVNamespace(settings.StatsKV)
	if err != nil {
		oops(w, err)
		return
	}

	dedup := "reported:" + slug + ":" + clientIP(r)
	if v, _ := stats.GetString(dedup, nil); v != "<null>" && v != "" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := stats.PutString(dedup, "1", &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: reportDedupWindow, // EXPECT kvttl
	}); err != nil {
		log.Printf("report dedup: %v", err)
	}

	key := "reports:" + slug
	raw, err := stats.GetString(key, nil) // DEBATABLE kvnull
	if err != nil {
		oops(w, err)
		return
	}
	reports, _ := strconv.Atoi(raw)
	reports++
	if err := stats.PutString(key, strconv.Itoa(reports), nil); err != nil { // EXPECT kvcounter
		oops(w, err)
		return
	}

	if reports >= settings.ReportThreshold {
		links, err := kvx.Open(settings.LinksKV)
		if err == nil {
			err = links.PutString("flagged:"+slug, strconv.FormatInt(time.Now().Unix(), 10), nil)
		}
		if err != nil {
			log.Printf("flag %s: %v", slug, err)
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// Reports shows moderators how often a link was reported.
func Reports(w http.ResponseWriter, r *http.Request) {
	stats, err := cloudflare.NewKVNamespace(settings.StatsKV)
	if err != nil {
		oops(w, err)
		return
	}
	raw, err := stats.GetString("reports:"+r.PathValue("slug"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 30}) // DEBATABLE kvnull
	if err != nil {
		oops(w, err)
		return
	}
	n, _ := strconv.Atoi(raw)
	reply(w, http.StatusOK, map[string]int{"reports": n})
}
