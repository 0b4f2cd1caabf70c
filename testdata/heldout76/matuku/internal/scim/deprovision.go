// Package scim receives SCIM 2.0 user lifecycle calls from the HR-driven
// identity provider. Deactivating or deleting a user must cut off every
// gateway session and token the user holds.
package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"matuku/internal/kvstore"
	"matuku/internal/policy"
	"matuku/internal/tokens"
)

// sessionView is the part of a gateway session that deprovisioning needs.
type sessionView struct {
	Subject string `json:"sub"`
}

// Deprovisioner revokes everything a user holds.
type Deprovisioner struct {
	KV       *kvstore.Store
	Tokens   *tokens.Service
	Policies *policy.Evaluator
	Log      *slog.Logger
}

// Result summarises one deprovisioning run.
type Result struct {
	Subject  string    `json:"sub"`
	Sessions int       `json:"sessions"`
	Tokens   int       `json:"tokens"`
	At       time.Time `json:"at"`
	Errors   []string  `json:"errors,omitempty"`
}

// Deprovision ends sub's sessions, drops their tokens and compiled policy, and
// leaves a tombstone that the check path consults.
func (d *Deprovisioner) Deprovision(ctx context.Context, sub string) (*Result, error) {
	res := &Result{Subject: sub, At: time.Now().UTC()}
	tomb, _ := json.Marshal(res)
	if err := d.KV.Put(ctx, "deprovisioned:"+sub, tomb, 0); err != nil {
		return nil, fmt.Errorf("tombstone: %w", err)
	}

	n, err := d.endSessions(ctx, sub)
	res.Sessions = n
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	}

	hashes, err := d.Tokens.Indexed(ctx, sub)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
	} else if len(hashes) > 0 {
		if err := d.Tokens.DropHashes(ctx, hashes); err != nil {
			res.Errors = append(res.Errors, err.Error())
		} else {
			res.Tokens = len(hashes)
			_ = d.KV.Delete(ctx, "user-tokens:"+sub) // DEBATABLE kvsession
		}
	}
	if err := d.Policies.Invalidate(ctx, sub); err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	return res, nil
}

// endSessions walks every gateway session and deletes the ones owned by sub.
// Sessions are keyed by random ID only, so there is no per-user prefix.
func (d *Deprovisioner) endSessions(ctx context.Context, sub string) (int, error) {
	ended := 0
	cursor := ""
	for {
		page, err := d.KV.ListPage(ctx, "sess:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return ended, err
		}
		for _, k := range page.Keys {
			raw, err := d.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var sv sessionView
			if json.Unmarshal(raw, &sv) != nil || sv.Subject != sub {
				continue
			}
			if err := d.KV.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return ended, err
			}
			ended++
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return ended, nil
}

// DeprovisionMany runs a batch from the nightly HR reconciliation and records
// progress so that an interrupted batch can be resumed by hand.
func (d *Deprovisioner) DeprovisionMany(ctx context.Context, subs []string) []Result {
	out := make([]Result, 0, len(subs))
	for i, sub := range subs {
		r, err := d.Deprovision(ctx, sub)
		if err != nil {
			d.Log.Error("deprovision", "sub", sub, "err", err)
			r = &Result{Subject: sub, At: time.Now().UTC(), Errors: []string{err.Error()}}
		}
		out = append(out, *r)
		progress, _ := json.Marshal(map[string]any{"done": i + 1, "total": len(subs), "last": sub})
		if err := d.KV.Put(ctx, "scim:batch:progress", progress, 7*24*time.Hour); err != nil { // EXPECT kvhotkey
			d.Log.Warn("batch progress", "err", err)
		}
	}
	return out
}

// SessionPage is one page of a user's session listing for the admin UI.
type SessionPage struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// Sessions returns one page of session keys; the UI passes the cursor back for
// the next page.
func (d *Deprovisioner) Sessions(ctx context.Context, cursor string) (SessionPage, error) {
	page, err := d.KV.ListPage(ctx, "sess:", cursor, 100)
	if err != nil {
		return SessionPage{}, err
	}
	sp := SessionPage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		sp.Keys = append(sp.Keys, k.Name)
	}
	return sp, nil
}

// RecentTombstones returns up to limit deprovisioned users, reading at most a
// few pages; the admin report does not need the full history.
func (d *Deprovisioner) RecentTombstones(ctx context.Context, limit int) ([]string, error) {
	const maxPages = 5
	var subs []string
	cursor := ""
	for range maxPages {
		page, err := d.KV.ListPage(ctx, "deprovisioned:", cursor, 1000)
		if err != nil {
			return subs, err
		}
		for _, k := range page.Keys {
			subs = append(subs, strings.TrimPrefix(k.Name, "deprovisioned:"))
			if len(subs) == limit {
				return subs, nil
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return subs, nil
}

// ClientPreview shows the first few registered clients on the admin landing page.
func (d *Deprovisioner) ClientPreview(ctx context.Context) ([]string, error) {
	page, err := d.KV.ListPage(ctx, "client:", "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "client:"))
	}
	return names, nil
}

// Handler serves the SCIM Users endpoint subset the IdP uses.
type Handler struct {
	D *Deprovisioner
}

// ServeHTTP handles DELETE /scim/v2/Users/{id}. The IdP sends it both for
// deleted users and, with the "deprovision on deactivate" option, for
// deactivated ones.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if r.Method != http.MethodDelete || id == "" {
		w.Header().Set("Allow", "DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	res, err := h.D.Deprovision(ctx, id)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			http.Error(w, "timed out", http.StatusGatewayTimeout)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(res)
}
