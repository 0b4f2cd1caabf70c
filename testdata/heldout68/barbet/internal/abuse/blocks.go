// Package abuse turns abuse reports into blocks that the edge enforces.
package abuse

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/barbet-video/barbet/internal/kvstore"
	"github.com/barbet-video/barbet/internal/policy"
)

// Report is what the trust & safety form and the automated scanners send.
type Report struct {
	IP       string `json:"ip"`
	Account  string `json:"account"`
	UploadID string `json:"upload_id"`
	Score    int64  `json:"score"`
	Count    int64  `json:"count"`
	Reason   string `json:"reason"`
	Reporter string `json:"reporter"`
}

// Block is the value under block/ip/* and block/acct/*.
type Block struct {
	Reason  string    `json:"reason"`
	Until   time.Time `json:"until"`
	Origin  string    `json:"origin"`
	Subject string    `json:"subject"`
}

// Desk handles reports and the block admin pages.
type Desk struct {
	NS     *kvstore.Namespace
	Policy *policy.Engine
	Log    *slog.Logger
	// Window is how long scanner reports are aggregated before they are sent.
	Window time.Duration
}

func ipBlockKey(ip string) string     { return "block/ip/" + ip }
func acctBlockKey(acct string) string { return "block/acct/" + acct }
func notesKey(acct string) string     { return "abuse/notes/" + acct }

// File accepts one report.
func (d *Desk) File(w http.ResponseWriter, r *http.Request) {
	var rep Report
	if err := json.NewDecoder(r.Body).Decode(&rep); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if err := d.NS.Put(ctx, "abuse/last-report", []byte(time.Now().UTC().Format(time.RFC3339Nano)), 0); err != nil { // EXPECT kvhotkey
		d.Log.Warn("last report not stamped", "err", err)
	}

	block, length, err := d.Policy.Block(policy.Activation{
		"report": map[string]any{"score": rep.Score, "count": rep.Count, "reason": rep.Reason},
	})
	if err != nil {
		http.Error(w, "block policy failed", http.StatusInternalServerError)
		return
	}
	if rep.Account != "" && rep.Reason != "" {
		if err := d.appendNote(ctx, rep.Account, rep.Reporter+": "+rep.Reason); err != nil {
			d.Log.Warn("note not kept", "account", rep.Account, "err", err)
		}
	}
	if !block {
		w.WriteHeader(http.StatusAccepted)
		return
	}

	if ip := net.ParseIP(rep.IP); ip != nil {
		b := Block{Reason: rep.Reason, Until: time.Now().Add(length), Origin: "report", Subject: ip.String()}
		if err := d.NS.PutJSON(ctx, ipBlockKey(ip.String()), b, max(length, time.Minute)); err != nil {
			http.Error(w, "block not stored", http.StatusBadGateway)
			return
		}
	}
	if rep.Account != "" {
		ttl := max(2*d.Window, 15*time.Second)
		if length > ttl {
			ttl = length
		}
		b := Block{Reason: rep.Reason, Until: time.Now().Add(ttl), Origin: "report", Subject: rep.Account}
		if err := d.NS.PutJSON(ctx, acctBlockKey(rep.Account), b, ttl); err != nil { // EXPECT kvttl
			http.Error(w, "block not stored", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusCreated)
}

// appendNote adds a line to the account's trust & safety notes.
func (d *Desk) appendNote(ctx context.Context, account, line string) error {
	old, err := d.NS.Get(ctx, notesKey(account))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	stamped := time.Now().UTC().Format("2006-01-02 15:04") + " " + line
	if len(old) > 0 {
		stamped = string(old) + "\n" + stamped
	}
	return d.NS.Put(ctx, notesKey(account), []byte(stamped), 0) // EXPECT kvrace
}

// Lift removes a block early.
func (d *Desk) Lift(w http.ResponseWriter, r *http.Request) {
	subject := r.URL.Query().Get("subject")
	key := acctBlockKey(subject)
	if net.ParseIP(subject) != nil {
		key = ipBlockKey(subject)
	}
	if err := d.NS.Delete(r.Context(), key); err != nil {
		http.Error(w, "block not lifted", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// List returns one page of blocks for the admin table; the client passes the
// cursor back for the next page.
func (d *Desk) List(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind != "ip" && kind != "acct" {
		kind = "ip"
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	limit = min(max(limit, 10), 1000)
	keys, next, err := d.NS.Page(r.Context(), "block/"+kind+"/", r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, "listing failed", http.StatusBadGateway)
		return
	}
	type row struct {
		Subject string    `json:"subject"`
		Expires time.Time `json:"expires"`
	}
	rows := make([]row, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, row{
			Subject: strings.TrimPrefix(k.Name, "block/"+kind+"/"),
			Expires: time.Unix(int64(k.Expiration), 0).UTC(),
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"blocks": rows, "cursor": next})
}

// Export writes every account block with its reason, for the weekly review.
func (d *Desk) Export(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	enc := json.NewEncoder(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	cursor := ""
	for {
		keys, next, err := d.NS.Page(ctx, "block/acct/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			d.Log.Error("export stopped", "err", err)
			return
		}
		for _, k := range keys {
			var b Block
			if err := d.NS.GetJSON(ctx, k.Name, &b); err != nil { // EXPECT kvlist
				continue
			}
			_ = enc.Encode(b)
		}
		if next == "" {
			return
		}
		cursor = next
	}
}
