//go:build js && wasm

// Command edge is the Worker in front of the lab portal: public tube-type
// lookups, feature flags, sign-in links for couriers and a per-IP guard.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	// missing is what GetString returns for a key that does not exist:
	// syscall/js renders the JavaScript null as "<null>".
	missing = "<null>"
	// perMinute is the anonymous request allowance per IP.
	perMinute = 120
)

type app struct {
	ns *kv.Namespace
}

func getText(ns *kv.Namespace, key string) (string, error) {
	return ns.GetString(key, nil)
}

func main() {
	ns, err := kv.NewNamespace("PYLON_EDGE")
	if err != nil {
		panic(err)
	}
	a := &app{ns: ns}
	mux := http.NewServeMux()
	mux.HandleFunc("/flags/", a.flag)
	mux.HandleFunc("/tubes/", a.tube)
	mux.HandleFunc("/labs/", a.lab)
	mux.HandleFunc("/courier/link", a.issueLink)
	mux.HandleFunc("/courier/signin", a.redeemLink)
	mux.HandleFunc("/sites", a.sites)
	mux.HandleFunc("/upload", a.upload)
	workers.Serve(a.guard(mux))
}

// guard counts anonymous requests per IP and minute and stamps the last
// request time for the uptime probe.
func (a *app) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		key := "hits:" + ip + ":" + time.Now().UTC().Format("200601021504")
		v, err := a.ns.GetString(key, nil)
		if err != nil {
			next.ServeHTTP(w, r) // fail open when KV is unavailable
			return
		}
		n := 0
		if v != missing {
			n, _ = strconv.Atoi(v)
		}
		if n >= perMinute {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = a.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120})      // EXPECT kvcounter
		_ = a.ns.PutString("edge:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		next.ServeHTTP(w, r)
	})
}

func (a *app) flag(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/flags/")
	v, err := getText(a.ns, "flag:"+name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, v)
}

// tube serves the public tube-type table; it changes a few times a year.
func (a *app) tube(w http.ResponseWriter, r *http.Request) {
	prefix := strings.TrimPrefix(r.URL.Path, "/tubes/")
	v, err := a.ns.GetString("tube:"+prefix, &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == missing {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, v)
}

// lab returns a partner lab's opening hours, which lab managers edit in the
// portal and expect to see at once.
func (a *app) lab(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/labs/")
	v, err := a.ns.GetString("lab-hours:"+id, &kv.GetOptions{CacheTTL: 20}) // EXPECT kvttl
	if err != nil || v == missing {
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, v)
}

func (a *app) issueLink(w http.ResponseWriter, r *http.Request) {
	courier := r.URL.Query().Get("courier")
	if courier == "" {
		http.Error(w, "courier required", http.StatusBadRequest)
		return
	}
	var b [20]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	if err := a.ns.PutString("magic:"+tok, courier, &kv.PutOptions{ExpirationTTL: 900}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

func (a *app) redeemLink(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	courier, err := a.ns.GetString("magic:"+tok, nil)
	if err != nil || courier == missing {
		http.Error(w, "link expired", http.StatusUnauthorized)
		return
	}
	if err := a.ns.Delete("magic:" + tok); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "courier", Value: courier, HttpOnly: true, Secure: true})
	fmt.Fprint(w, "signed in")
}

// sites lists collection sites for the courier app's picker, at most three
// pages.
func (a *app) sites(w http.ResponseWriter, r *http.Request) {
	opts := &kv.ListOptions{Prefix: "site:", Limit: 500}
	var names []string
	for page := 0; page < 3; page++ {
		res, err := a.ns.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "site:"))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "site:", Limit: 500, Cursor: res.Cursor}
	}
	json.NewEncoder(w).Encode(names)
}

// upload checks the size limit configured for the partner upload form.
func (a *app) upload(w http.ResponseWriter, r *http.Request) {
	v, _ := a.ns.GetString("cfg:max-upload-mb", nil)
	limit, _ := strconv.Atoi(v) // EXPECT kvnull
	if r.ContentLength > int64(limit)<<20 {
		http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
