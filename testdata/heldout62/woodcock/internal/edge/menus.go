//go:build js && wasm

package edge

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const searchPerMinute = 60

type restaurantCardView struct {
	Name     string   `json:"name"`
	Cuisine  []string `json:"cuisine"`
	Rating   float32  `json:"rating"`
	ImageURL string   `json:"imageUrl"`
}

// menuPage serves the rendered menu the backend publishes.
func menuPage(w http.ResponseWriter, r *http.Request) {
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	locale := cmp.Or(r.URL.Query().Get("locale"), "en")
	key := "menu:" + r.PathValue("restaurantId") + ":render:" + locale
	body, ok, err := lookup(ns, key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		fail(w, err)
		return
	}
	if !ok {
		http.Error(w, "menu not published", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, body)
}

// restaurantCard serves the small card shown in search results.
func restaurantCard(w http.ResponseWriter, r *http.Request) {
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	raw, err := ns.GetString("restaurant:card:"+r.PathValue("restaurantId"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	var card restaurantCardView
	if err := json.Unmarshal([]byte(raw), &card); err != nil {
		http.Error(w, "card unreadable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(card)
}

// search lists restaurants of a city whose ID starts with q.
func search(w http.ResponseWriter, r *http.Request) {
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	ip := r.Header.Get("CF-Connecting-IP")
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	if ok, err := allowSearch(ns, ip); err != nil {
		fail(w, err)
		return
	} else if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	q := r.URL.Query()
	prefix := "restaurant:" + q.Get("city") + ":" + strings.ToLower(q.Get("q"))
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Limit:  1500, // EXPECT kvlimits
		Cursor: q.Get("cursor"),
	})
	if err != nil {
		fail(w, err)
		return
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"restaurants": ids, "next": next})
}

// allowSearch lets an address run searchPerMinute searches a minute.
func allowSearch(ns *cloudflare.KVNamespace, ip string) (bool, error) {
	key := fmt.Sprintf("ratelimit:search:%s:%d", ip, time.Now().Unix()/60)
	n := 0
	v, ok, err := lookup(ns, key, nil)
	if err != nil {
		return false, err
	}
	if ok {
		if n, err = strconv.Atoi(v); err != nil {
			return false, err
		}
	}
	if n >= searchPerMinute {
		return false, nil
	}
	return true, ns.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}
