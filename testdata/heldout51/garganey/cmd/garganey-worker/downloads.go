//go:build js && wasm

package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/analytics"
)

// downloadsPerMinute is how many measured downloads one address may make
// per minute; more are still redirected but not counted.
const downloadsPerMinute = 30

const viewShards = 16

// handleDownload counts a download and redirects to the audio file.
func handleDownload(w http.ResponseWriter, r *http.Request) {
	ep, ip := r.PathValue("episode"), r.Header.Get("CF-Connecting-IP")
	ns, ok := namespace(w, bindingAnalytics)
	if !ok {
		return
	}
	if limited, err := overLimit(ns, ip); err != nil {
		log.Printf("download %s: rate: %v", ep, err)
	} else if !limited {
		binding, found := regionBindings[r.Header.Get("CF-IPContinent")]
		if !found {
			binding = bindingAnalytics
		}
		st, err := stores.Open("kv://" + binding)
		if err == nil {
			err = analytics.NewShardedCounter(st, "views", viewShards).Incr(r.Context(), ep)
		}
		if err != nil {
			log.Printf("download %s: count: %v", ep, err)
		}
		dl, _ := json.Marshal([]analytics.Download{{Network: r.Header.Get("X-Garganey-Network"), Episode: ep, Listener: r.Header.Get("X-Listener-Id"), IP: ip}})
		ctx := r.Context()
		cloudflare.WaitUntil(func() { fetchOrigin(ctx, http.MethodPost, "/ingest/downloads", string(dl)) })
	}

	feeds, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	audio, err := feeds.GetString("audio-url:"+ep, &kv.GetOptions{CacheTTL: 3600})
	if err != nil || audio == kvNull {
		http.NotFound(w, r)
		return
	}
	if ready, err := probeAudio(r, feeds, ep, audio); err == nil && !ready {
		http.Error(w, "episode is being processed", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, audio, http.StatusFound)
}

// overLimit counts this minute's measured downloads from ip.
func overLimit(ns *kv.Namespace, ip string) (bool, error) {
	key := "ratelimit:dl:" + ip
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	count := 0
	if raw != "" { // EXPECT kvnull
		if count, err = strconv.Atoi(raw); err != nil {
			return false, err
		}
	}
	if count >= downloadsPerMinute {
		return true, nil
	}
	return false, ns.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}

// probeAudio checks that the audio file is in place. Answers are kept
// briefly so that the burst of downloads after a release does not probe
// storage on every request.
func probeAudio(r *http.Request, ns *kv.Namespace, ep, audio string) (bool, error) {
	key := "probe:" + ep
	if raw, err := ns.GetString(key, nil); err == nil && raw != kvNull {
		return raw == "true", nil
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodHead, audio, nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	ready := resp.StatusCode == http.StatusOK
	if err := putJSON(ns, key, ready, 30*time.Second); err != nil { // EXPECT kvttl
		log.Printf("probe %s: cache: %v", ep, err)
	}
	return ready, nil
}
