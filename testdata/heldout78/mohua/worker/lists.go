//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"
)

// holderKeys returns one page of holder keys and the cursor of the next one.
func (a *app) holderKeys(w http.ResponseWriter, r *http.Request) {
	res, err := a.kv.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "holder:" + strings.ToLower(r.PathValue("contract")) + ":",
		Limit:  500,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, map[string]any{"keys": names, "cursor": next})
}

// exportHolders dumps every holder of a token with its balance.
func (a *app) exportHolders(w http.ResponseWriter, r *http.Request) {
	prefix := "holder:" + strings.ToLower(r.PathValue("contract")) + ":"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 2000} // EXPECT kvlimits
	out := map[string]string{}
	for {
		res, err := a.kv.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			v, err := a.kv.GetString(k.Name, nil) // EXPECT kvlist
			if err == nil && v != "<null>" {
				out[strings.TrimPrefix(k.Name, prefix)] = v
			}
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, out)
}

// collections lists the tracked collections with their metadata names.
func (a *app) collections(w http.ResponseWriter, r *http.Request) {
	res, err := a.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "collection:1:"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "collection:1:"))
	}
	writeJSON(w, map[string]any{"collections": names, "total": len(names)})
}

// staleMeta collects metadata keys of a token for re-validation, a few pages at a time.
func (a *app) staleMeta(w http.ResponseWriter, r *http.Request) {
	prefix := "meta:1:" + strings.ToLower(r.PathValue("contract")) + ":"
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := a.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
	}
	writeJSON(w, map[string]any{"keys": names, "resume": cursor})
}

// sessionsOf lists a wallet's sessions for the account page.
func (a *app) sessionsOf(w http.ResponseWriter, r *http.Request) {
	prefix := "wallet-session:" + strings.ToLower(r.PathValue("addr")) + ":"
	var names []string
	res, err := a.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix})
	for err == nil && len(names) < 5000 {
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		res, err = a.kv.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, names)
}

type queued struct {
	Holder string `json:"holder"`
	TxHash string `json:"tx"`
	Block  uint64 `json:"block"`
}

// consume stores the last notification of each holder from a queue batch.
func (a *app) consume(batch *cloudflare.KVNamespace, msgs []queued) error {
	for _, m := range msgs {
		buf, _ := json.Marshal(m)
		if err := a.kv.PutString("lastnotice:"+strings.ToLower(m.Holder), string(buf), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}); err != nil {
			return err
		}
		if err := a.kv.PutString("queue:checkpoint", m.TxHash, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
