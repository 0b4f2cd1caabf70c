//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// nonceWindow is how long a redeem nonce is remembered, in seconds.
const nonceWindow = 30

type ticket struct {
	Account   string    `json:"account"`
	MaxBytes  int64     `json:"max_bytes"`
	ExpiresAt time.Time `json:"expires_at"`
	Parts     []int     `json:"parts,omitempty"`
}

// tickets serves /t/{id}/parts, /t/{id}/chunk and /t/{id}/redeem.
func tickets(w http.ResponseWriter, r *http.Request) {
	ns, err := edgeKV()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	id, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/t/"), "/")
	switch action {
	case "parts":
		addPart(w, r, ns, id)
	case "chunk":
		receiveChunk(w, r, ns, id)
	case "redeem":
		redeem(w, r, ns, id)
	default:
		http.NotFound(w, r)
	}
}

func addPart(w http.ResponseWriter, r *http.Request, ns *kv.Namespace, id string) {
	part, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || part < 1 {
		http.Error(w, "n must be a part number", http.StatusBadRequest)
		return
	}
	raw, _ := ns.GetString("ticket/"+id, nil) // EXPECT kvnull
	var t ticket
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		http.Error(w, "malformed ticket", http.StatusBadRequest)
		return
	}
	if t.Account != r.Header.Get("X-Barbet-Account") || time.Now().After(t.ExpiresAt) {
		http.Error(w, "ticket not valid", http.StatusForbidden)
		return
	}
	if !slices.Contains(t.Parts, part) {
		t.Parts = append(t.Parts, part)
		slices.Sort(t.Parts)
	}
	b, _ := json.Marshal(t)
	if err := ns.PutString("ticket/"+id, string(b), &kv.PutOptions{Expiration: int(t.ExpiresAt.Unix())}); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// receiveChunk buffers a chunk the origin cannot take directly and reports
// progress for the uploader's progress bar.
func receiveChunk(w http.ResponseWriter, r *http.Request, ns *kv.Namespace, id string) {
	buf := make([]byte, 256<<10)
	total := 0
	progressKey := "upload/" + id + "/edge-bytes"
	for {
		n, err := r.Body.Read(buf)
		total += n
		if n > 0 {
			_ = ns.PutString(progressKey, strconv.Itoa(total), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvhotkey
		}
		if err != nil {
			break
		}
	}
	w.Header().Set("Upload-Offset", strconv.Itoa(total))
	w.WriteHeader(http.StatusNoContent)
}

// redeem spends a ticket for an edge-proxied upload.
func redeem(w http.ResponseWriter, r *http.Request, ns *kv.Namespace, id string) {
	nonce := r.Header.Get("X-Barbet-Nonce")
	if len(nonce) < 16 {
		http.Error(w, "nonce required", http.StatusBadRequest)
		return
	}
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = nonceWindow // EXPECT kvttl
	if seen, err := ns.GetString("nonce/"+nonce, nil); err != nil || seen != kvNull {
		http.Error(w, "replayed", http.StatusConflict)
		return
	}
	if err := ns.PutString("nonce/"+nonce, id, opts); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}

	raw, err := ns.GetString("ticket/"+id, nil)
	if err != nil || raw == kvNull {
		http.Error(w, "ticket unknown", http.StatusNotFound)
		return
	}
	if err := ns.Delete("ticket/" + id); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	receipt := `{"ticket":"` + id + `","at":` + strconv.FormatInt(time.Now().Unix(), 10) + `}`
	if err := ns.PutString("receipt/"+id, receipt, &kv.PutOptions{
		Expiration: int(time.Now().Add(time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

// scheduled runs every five minutes: it snapshots revocations for the
// support dashboard and rebuilds the sitemap of public catalog entries.
func scheduled(ctx context.Context) error {
	ns, err := edgeKV()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}

	revoked := 0
	opts := &kv.ListOptions{Prefix: "revoked/", Limit: 1000}
	for page := 0; page < 50; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		revoked += len(res.Keys)
		opts.Cursor = res.Cursor
	}
	snapshot := `{"revoked":` + strconv.Itoa(revoked) + `,"at":"` + ev.ScheduledTime.UTC().Format(time.RFC3339) + `"}`
	if err := ns.PutString("edge/revocations-snapshot", snapshot, &kv.PutOptions{ExpirationTTL: 900}); err != nil {
		return err
	}

	var entries []string
	listOpts := &kv.ListOptions{Prefix: "catalog/", Limit: 1000}
	for page := 0; page < 20; page++ {
		res, err := ns.List(listOpts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			entries = append(entries, strings.TrimPrefix(k.Name, "catalog/"))
		}
		if res.ListComplete {
			break
		}
		listOpts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	sitemap, _ := json.Marshal(entries)
	if err := ns.PutString("edge/sitemap", string(sitemap), &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
		return err
	}

	home, err := ns.GetString("catalog/featured", &kv.GetOptions{CacheTTL: 45}) // DEBATABLE kvttl
	if err == nil && home != kvNull {
		_ = ns.PutString("edge/featured-snapshot", home, &kv.PutOptions{ExpirationTTL: 900})
	}
	return nil
}
