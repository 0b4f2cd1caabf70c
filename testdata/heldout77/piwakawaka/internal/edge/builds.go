//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	badgeCacheFor    = 5 * time.Minute
	tailTicketTTL    = 45
	maxTailSegments  = 200
	manifestCacheFor = 10 * time.Minute
)

const badgeSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="110" height="20"><rect width="110" height="20" fill="%s"/><text x="8" y="14" fill="#fff" font-family="Verdana" font-size="11">build: %s</text></svg>`

func badgeColor(state string) string {
	switch state {
	case "passing":
		return "#4c1"
	case "failing":
		return "#e05d44"
	default:
		return "#9f9f9f"
	}
}

// badge serves the status badge of a repository's branch from the edge
// cache, filling it from the origin on a miss.
func (a *App) badge(w http.ResponseWriter, r *http.Request) {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	branch := r.URL.Query().Get("branch")
	if branch == "" {
		branch = "main"
	}
	key := "badge/" + owner + "/" + repo + "/" + branch
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=60")

	v, err := a.cache.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := a.client.Get(fmt.Sprintf("%s/api/repos/%s/%s/branches/%s/state", a.origin, owner, repo, branch))
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	state, _ := io.ReadAll(io.LimitReader(res.Body, 64))
	svg := fmt.Sprintf(badgeSVG, badgeColor(string(state)), html.EscapeString(string(state)))
	if err := a.cache.PutString(key, svg, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(badgeCacheFor)}); err != nil { // EXPECT kvttl
		w.Header().Set("X-Cache-Error", err.Error())
	}
	io.WriteString(w, svg)
}

// tailTicket hands the dashboard a short-lived ticket for the log tail
// stream; the browser's EventSource cannot send the session header.
func (a *App) tailTicket(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	ticket := rand.Text()
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: tailTicketTTL} // EXPECT kvttl
	if err := a.auth.PutString("tail-ticket/"+ticket, r.PathValue("id"), opts); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"ticket": ticket})
}

// tail streams a step's log segments as server-sent events, starting at the
// segment given in ?from.
func (a *App) tail(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	build, err := a.auth.GetString("tail-ticket/"+r.URL.Query().Get("ticket"), nil)
	if err != nil || build != id {
		http.Error(w, "ticket expired", http.StatusForbidden)
		return
	}
	step := r.URL.Query().Get("step")
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	w.Header().Set("Content-Type", "text/event-stream")
	for seq := from; seq < from+maxTailSegments; seq++ {
		seg, err := a.logs.GetString(fmt.Sprintf("logs/%s/%s/%08d", id, step, seq), nil)
		if err != nil || seg == "<null>" {
			fmt.Fprintf(w, "event: wait\ndata: %d\n\n", seq)
			return
		}
		fmt.Fprintf(w, "id: %d\ndata: %s\n\n", seq, strconv.Quote(seg))
	}
}

// buildStatus answers the status polls of the dashboard and of pull request
// pages from the edge cache.
func (a *App) buildStatus(w http.ResponseWriter, r *http.Request) {
	key := "status/" + r.PathValue("id")
	w.Header().Set("Content-Type", "application/json")
	if v, err := a.cache.GetString(key, nil); err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := a.client.Get(a.origin + "/api/builds/" + r.PathValue("id") + "/status")
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		_ = a.cache.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30}) // EXPECT kvttl
	}
	w.WriteHeader(res.StatusCode)
	w.Write(body)
}

// manifest serves artifact manifests to runners close to them.
func (a *App) manifest(org, key string) (string, error) {
	name := "artifacts/" + org + "/" + key
	if v, err := a.cache.GetString(name, nil); err != nil {
		return "", err
	} else if v != "<null>" {
		return v, nil
	}
	res, err := a.client.Get(a.origin + "/cache/" + org + "/" + key)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", nil
	}
	body, _ := io.ReadAll(res.Body)
	err = a.cache.PutString(name, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(manifestCacheFor.Seconds())})
	return string(body), err
}

func (a *App) cacheManifest(w http.ResponseWriter, r *http.Request) {
	m, err := a.manifest(r.PathValue("org"), r.PathValue("key"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if m == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, m)
}
