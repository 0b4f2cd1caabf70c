package cloudfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
)

func init() {
	functions.HTTP("TrackDownload", TrackDownload)
	functions.HTTP("ResolveAudio", ResolveAudio)
}

var (
	tallyMu sync.Mutex
	tally   = map[string]int{}
)

// TrackDownload is called by the origin for listeners whose apps bypass the
// edge (old podcatchers that do not follow redirects). It enforces the per-IP
// limit, counts a listener once per day and keeps a running play count.
func TrackDownload(w http.ResponseWriter, r *http.Request) {
	episodeID := r.URL.Query().Get("episode")
	if episodeID == "" {
		http.Error(w, "episode is required", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	ctx := r.Context()
	now := time.Now()
	ip := clientIP(r)

	limitKey := fmt.Sprintf("ratelimit:ip:%s:%d", ip, now.Unix()/60)
	used := 0
	raw, err := st.Get(ctx, limitKey)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvclient.ErrNotFound):
		fail(w, http.StatusBadGateway, err)
		return
	}
	if used >= settings.IPDownloadLimit {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many downloads", http.StatusTooManyRequests)
		return
	}
	if err := st.Put(ctx, limitKey, []byte(strconv.Itoa(used+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		fail(w, http.StatusBadGateway, err)
		return
	}

	listener := listenerHash(ip, r.UserAgent(), now)
	seenKey := podcast.ListenerSeenKey(episodeID, now, listener)
	if _, err := st.Get(ctx, seenKey); err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	} else if !errors.Is(err, kvclient.ErrNotFound) {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := st.Put(ctx, seenKey, []byte("1"), // DEBATABLE kvrace
		max(time.Until(podcast.EndOfDay(now)), 30*time.Second)); err != nil { // EXPECT kvttl
		fail(w, http.StatusBadGateway, err)
		return
	}

	tallyMu.Lock()
	tally[episodeID]++
	plays := tally[episodeID]
	tallyMu.Unlock()
	if plays%25 == 0 {
		if err := st.Put(ctx, podcast.PlaysKey(episodeID), []byte(strconv.Itoa(plays)), 0); err != nil { // EXPECT kvcounter
			fail(w, http.StatusBadGateway, err)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// ResolveAudio returns the public URL of an episode's audio, caching the
// origin's answer in KV for as long as the origin allows.
func ResolveAudio(w http.ResponseWriter, r *http.Request) {
	showID, episodeID := r.URL.Query().Get("show"), r.URL.Query().Get("episode")
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := podcast.AudioKey(showID, episodeID)
	var m podcast.AudioManifest
	err = st.GetJSON(r.Context(), key, &m)
	if err == nil {
		http.Redirect(w, r, m.PublicURL, http.StatusFound)
		return
	}
	if !errors.Is(err, kvclient.ErrNotFound) {
		fail(w, http.StatusBadGateway, err)
		return
	}
	body, maxAge, err := fetchOrigin(r.Context(), "/episodes/"+showID+"/"+episodeID+"/audio")
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := json.Unmarshal(body, &m); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := st.PutCached(r.Context(), key, body, maxAge); err != nil {
		log.Printf("cache audio manifest %s: %v", key, err)
	}
	http.Redirect(w, r, m.PublicURL, http.StatusFound)
}

// fetchOrigin GETs a path from the publishing database API and returns the
// body and the Cache-Control max-age the origin sent.
func fetchOrigin(ctx context.Context, path string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, settings.OriginURL+path, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, err
	}
	var maxAge time.Duration
	for _, directive := range strings.Split(resp.Header.Get("Cache-Control"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(directive), "max-age="); ok {
			if secs, err := strconv.Atoi(v); err == nil {
				maxAge = time.Duration(secs) * time.Second
			}
		}
	}
	return body, maxAge, nil
}

func clientIP(r *http.Request) string {
	if v := r.Header.Get("X-Forwarded-For"); v != "" {
		first, _, _ := strings.Cut(v, ",")
		return strings.TrimSpace(first)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// listenerHash identifies a listener for a day without storing the IP.
func listenerHash(ip, userAgent string, day time.Time) string {
	sum := sha256.Sum256([]byte(ip + "|" + userAgent + "|" + podcast.Day(day)))
	return hex.EncodeToString(sum[:12])
}
