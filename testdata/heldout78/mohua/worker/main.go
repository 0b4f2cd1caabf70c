//go:build js && wasm

// Command worker is the edge read API, compiled to WebAssembly and run on
// Cloudflare Workers. It serves balances, holders and token pages from KV and
// consumes the indexer's notification queue.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	quoteTTL    = 45
	pageTTL     = 300
	sessionIdle = 20 * time.Minute
	maxPages    = 5
)

// holdersQuery is the GraphQL query whose response the holders page caches.
const holdersQuery = `query Holders($contract: String!, $first: Int!, $after: String) { token(id: $contract) { id name symbol decimals totalSupply holders(first: $first, after: $after, orderBy: balance, orderDirection: desc) { edges { node { address balance firstSeenBlock lastSeenBlock transferCount ens { name avatar } labels { name source } } cursor } pageInfo { hasNextPage endCursor } } transfers(first: 20, orderBy: blockNumber, orderDirection: desc) { edges { node { hash from to value blockNumber timestamp } } } } }`

type app struct {
	kv *cloudflare.KVNamespace
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// balance serves a holder's balance of a token.
func (a *app) balance(w http.ResponseWriter, r *http.Request) {
	key := fmt.Sprintf("bal:1:%s:%s", strings.ToLower(r.PathValue("holder")), strings.ToLower(r.PathValue("contract")))
	v, err := a.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Error(w, "unknown holder", http.StatusNotFound)
		return
	}
	writeJSON(w, map[string]string{"balance": v})
}

// owner serves the owner of an NFT.
func (a *app) owner(w http.ResponseWriter, r *http.Request) {
	key := fmt.Sprintf("owner:1:%s:%s", strings.ToLower(r.PathValue("contract")), r.PathValue("id"))
	v, err := a.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 120})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "<null>" || v == "" {
		http.Error(w, "unknown token", http.StatusNotFound)
		return
	}
	writeJSON(w, map[string]string{"owner": v})
}

// quote serves a token price, cached briefly from the upstream oracle.
func (a *app) quote(w http.ResponseWriter, r *http.Request) {
	sym := strings.ToUpper(r.PathValue("symbol"))
	key := "quote:" + sym
	v, err := a.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := http.Get("https://oracle.mohua.dev/v1/quote/" + sym)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	_ = a.kv.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: quoteTTL, // EXPECT kvttl
	})
	w.Write(body)
}

// gasPrice caches the gas oracle answer.
func (a *app) gasPrice(w http.ResponseWriter, r *http.Request) {
	v, err := a.kv.GetString("gas:1", nil)
	if err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := http.Get("https://oracle.mohua.dev/v1/gas")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = 30 // EXPECT kvttl
	_ = a.kv.PutString("gas:1", string(body), opts)
	w.Write(body)
}

// holders serves the cached holders page of a token.
func (a *app) holders(w http.ResponseWriter, r *http.Request) {
	contract := strings.ToLower(r.PathValue("contract"))
	v, err := a.kv.GetString(holdersQuery, nil) // EXPECT kvlimits
	if err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := http.Post("https://graph.mohua.dev/subgraphs/erc20", "application/json",
		strings.NewReader(`{"query":`+strconv.Quote(holdersQuery)+`,"variables":{"contract":"`+contract+`","first":100}}`))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	_ = a.kv.PutString("holders:"+contract, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: pageTTL})
	w.Write(body)
}

// tokenPage counts views and serves the token page document.
func (a *app) tokenPage(w http.ResponseWriter, r *http.Request) {
	contract := strings.ToLower(r.PathValue("contract"))
	doc, err := a.kv.GetString("page:"+contract, &cloudflare.KVNamespaceGetOptions{CacheTTL: pageTTL})
	if err != nil || doc == "<null>" {
		http.Error(w, "unknown token", http.StatusNotFound)
		return
	}
	viewsKey := "views:" + contract
	raw, err := a.kv.GetString(viewsKey, nil) // EXPECT kvnull
	if err == nil {
		n, _ := strconv.Atoi(raw)
		_ = a.kv.PutString(viewsKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	}
	_ = a.kv.PutString("edge:last-seen", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	io.WriteString(w, doc)
}

type profile struct {
	Address string   `json:"address"`
	Display string   `json:"display"`
	Links   []string `json:"links"`
	Updated int64    `json:"updated"`
}

// addLink appends a link to a public profile.
func (a *app) addLink(w http.ResponseWriter, r *http.Request) {
	key := "profile:" + strings.ToLower(r.PathValue("addr"))
	raw, err := a.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var p profile
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	p.Links = append(p.Links, r.FormValue("url"))
	p.Updated = time.Now().Unix()
	buf, _ := json.Marshal(p)
	_ = a.kv.PutString(key, string(buf), nil) // EXPECT kvrace
	writeJSON(w, p)
}

// profileView returns a public profile.
func (a *app) profileView(w http.ResponseWriter, r *http.Request) {
	raw, err := a.kv.GetString("profile:"+strings.ToLower(r.PathValue("addr")), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var p profile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "corrupt profile", http.StatusInternalServerError)
		return
	}
	writeJSON(w, p)
}

// loginAttempt records failed magic-link attempts per e-mail address.
func (a *app) loginAttempt(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(r.FormValue("email"))
	prev, _ := strconv.Atoi(r.Header.Get("X-Attempts"))
	_ = a.kv.PutString("attempts:"+email, strconv.Itoa(prev+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}) // EXPECT kvcounter
	w.WriteHeader(http.StatusNoContent)
}

// magicLink redeems a one-time sign-in link and starts a session.
func (a *app) magicLink(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	email, err := a.kv.GetString("magic:"+token, nil)
	if err != nil || email == "<null>" {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	_ = a.kv.Delete("magic:" + token) // EXPECT kvsession
	sid := strconv.FormatInt(time.Now().UnixNano(), 36) + token[:8]
	_ = a.kv.PutString("session:"+sid, email, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(sessionIdle), // EXPECT kvttl
	})
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, HttpOnly: true, Secure: true, Path: "/"})
	http.Redirect(w, r, "/", http.StatusFound)
}

// oauthCallback finishes the wallet-provider OAuth flow.
func (a *app) oauthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	ret, err := a.kv.GetString("oauth-state:"+state, nil)
	if err != nil || ret == "<null>" {
		http.Error(w, "bad state", http.StatusBadRequest)
		return
	}
	_ = a.kv.Delete("oauth-state:" + state) // EXPECT kvsession
	http.Redirect(w, r, ret, http.StatusFound)
}

// startOAuth stores a fresh state value for ten minutes.
func (a *app) startOAuth(w http.ResponseWriter, r *http.Request) {
	state := strconv.FormatInt(time.Now().UnixNano(), 36)
	_ = a.kv.PutString("oauth-state:"+state, r.URL.Query().Get("return"), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
	http.Redirect(w, r, "https://auth.mohua.dev/authorize?state="+state, http.StatusFound)
}

// banner stores the promo banner until shortly after now or the end of day.
func (a *app) banner(w http.ResponseWriter, r *http.Request) {
	text := r.FormValue("text")
	if r.FormValue("flash") == "1" {
		_ = a.kv.PutString("banner", text, &cloudflare.KVNamespacePutOptions{
			Expiration: int(time.Now().Add(20 * time.Second).Unix()), // EXPECT kvttl
		})
		return
	}
	now := time.Now().UTC()
	eod := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	_ = a.kv.PutString("banner", text, &cloudflare.KVNamespacePutOptions{Expiration: int(eod.Unix())})
}

// announce stores an announcement for one hour.
func (a *app) announce(w http.ResponseWriter, r *http.Request) {
	_ = a.kv.PutString("announcement", r.FormValue("text"), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(time.Hour).UnixMilli()), // EXPECT kvttl
	})
}
