//go:build js && wasm

// Package canned serves agents' canned replies from the edge. Replies are
// written by the back office and read by the agent inbox; shortcuts map a
// short name such as "/refund" to a reply.
package canned

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/origin"
)

// Reply is one canned reply.
type Reply struct {
	ID        string    `json:"id"`
	Team      string    `json:"team"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Tags      []string  `json:"tags"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Repo reads and writes canned replies.
type Repo struct {
	edgekv.Store
	kv     config.KVConfig
	origin *origin.Client
}

// New returns the canned-reply repository.
func New(cfg config.Config, oc *origin.Client) *Repo {
	return &Repo{Store: edgekv.Store{NS: edgekv.Canned}, kv: cfg.KV, origin: oc}
}

// Get returns one reply.
func (r *Repo) Get(team, id string) (Reply, error) {
	body, err := r.NS.GetString(keys.KindCanned.Key(team, id), &cloudflare.KVNamespaceGetOptions{CacheTTL: r.kv.CannedCacheSeconds})
	if err != nil {
		return Reply{}, err
	}
	if body == "" { // EXPECT kvnull
		return Reply{}, &kverr.MissError{Namespace: "canned", Key: id}
	}
	var rep Reply
	return rep, json.Unmarshal([]byte(body), &rep)
}

// ListTeam returns every reply of a team, in title order.
func (r *Repo) ListTeam(team string) ([]Reply, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: keys.KindCanned.Key(team) + keys.Sep, Limit: r.kv.PageSize}
	var out []Reply
	for page := 0; page < r.kv.MaxPages; page++ {
		res, err := r.NS.List(opts)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, err := r.NS.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var rep Reply
			if raw != edgekv.Null && json.Unmarshal([]byte(raw), &rep) == nil {
				out = append(out, rep)
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out, nil
}

// Shortcuts returns every shortcut name defined for a team.
func (r *Repo) Shortcuts(team string) ([]string, error) {
	prefix := keys.KindShortcut.Key(team) + keys.Sep
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	var names []string
	for {
		res, err := r.NS.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return names, nil
}

// Suggest returns one page of shortcut names starting with typed, and the
// cursor for the next page ("" when there is none).
func (r *Repo) Suggest(team, typed, cursor string) ([]string, string, error) {
	prefix := keys.KindShortcut.Key(team) + keys.Sep
	res, err := r.NS.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix + typed,
		Limit:  2000, // EXPECT kvlimits
		Cursor: cursor,
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, prefix))
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Inventory writes the key of every reply of a team to w, one per line, for
// the back office's reconciliation job.
func (r *Repo) Inventory(team string, w io.Writer) error {
	res, err := r.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: keys.KindCanned.Key(team) + keys.Sep, Limit: 1000})
	for pages := 1; err == nil; pages++ {
		for _, k := range res.Keys {
			fmt.Fprintln(w, k.Name)
		}
		if res.ListComplete || pages >= r.kv.MaxPages {
			return nil
		}
		res, err = r.NS.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return err
}

// ClaimShortcut points a shortcut name at a reply, unless another reply
// already uses it.
func (r *Repo) ClaimShortcut(team, name, replyID string) error {
	key := keys.KindShortcut.Key(team, name)
	m, err := r.Store.Get(key)
	if err != nil {
		return err
	}
	if owner, taken := m.Get(); taken && owner != replyID {
		return &kverr.ConflictError{Key: name, Owner: owner}
	}
	return r.Put(key, replyID, 0) // EXPECT kvrace
}

// RecordUse notes that an agent inserted a reply, for the "most used" sort.
func (r *Repo) RecordUse(team, id string) error {
	key := keys.KindCannedUsage.Key(team, id)
	m, err := r.Store.Get(key)
	if err != nil {
		return err
	}
	uses, err := strconv.Atoi(m.OrElse("0"))
	if err != nil {
		return err
	}
	return r.Put(key, strconv.Itoa(uses+1), 0) // EXPECT kvcounter
}

// RefreshCatalog rebuilds the catalogue snapshot from the origin. It runs once
// per cron tick.
func (r *Repo) RefreshCatalog(ctx context.Context) error {
	body, err := r.origin.Get(ctx, "/internal/canned/catalog")
	if err != nil {
		return err
	}
	return r.Put(keys.KindCanned.Key("catalog"), string(body), r.kv.TTL.Canned)
}

// ServeReply handles GET /canned/{team}/{id}.
func (r *Repo) ServeReply(w http.ResponseWriter, req *http.Request) {
	rep, err := r.Get(req.PathValue("team"), req.PathValue("id"))
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, rep)
}

// ServeTeam handles GET /canned/{team}?q=&cursor=: with q, one page of
// matching shortcuts; without, the team's replies and shortcut names, or
// with ?format=text the inventory of reply keys.
func (r *Repo) ServeTeam(w http.ResponseWriter, req *http.Request) {
	team, q := req.PathValue("team"), req.URL.Query()
	if q.Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := r.Inventory(team, w); err != nil {
			httpx.Fail(w, err)
		}
		return
	}
	if q.Has("q") {
		names, next, err := r.Suggest(team, q.Get("q"), q.Get("cursor"))
		if err != nil {
			httpx.Fail(w, err)
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"names": names, "cursor": next})
		return
	}
	replies, err := r.ListTeam(team)
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	shortcuts, err := r.Shortcuts(team)
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"replies": replies, "shortcuts": shortcuts})
}

// ServeUse handles POST /canned/{team}/{id}/use.
func (r *Repo) ServeUse(w http.ResponseWriter, req *http.Request) {
	if err := r.RecordUse(req.PathValue("team"), req.PathValue("id")); err != nil {
		httpx.Fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ServeClaim handles PUT /canned/{team}/shortcuts/{name}.
func (r *Repo) ServeClaim(w http.ResponseWriter, req *http.Request) {
	var in struct {
		ReplyID string `json:"reply_id"`
	}
	if err := httpx.Decode(req, 1<<10, &in); err != nil || in.ReplyID == "" {
		httpx.Error(w, http.StatusBadRequest, "invalid body")
		return
	}
	if err := r.ClaimShortcut(req.PathValue("team"), req.PathValue("name"), in.ReplyID); err != nil {
		httpx.Fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
