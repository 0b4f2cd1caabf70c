//go:build js && wasm

// Package editor serves the dashboard endpoints that run at the edge:
// workspace switching, list sizes, subscriber pages, draft HTML and live
// previews.
package editor

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/edge/sessions"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/store"
)

// rawText reads values as the binding returns them.
type rawText struct{ ns *kvbind.Namespace }

// Text returns the text stored under key.
func (r rawText) Text(key string) (string, error) {
	kv, err := r.ns.Handle()
	if err != nil {
		return "", err
	}
	return kv.GetString(key, nil)
}

// Editor holds the dashboard handlers.
type Editor struct {
	ns         *kvbind.Namespace
	ks         keys.Space
	sm         *sessions.Manager
	previews   *store.Repo[domain.Preview]
	raw        rawText
	sessionTTL time.Duration
}

// New returns an Editor.
func New(ns *kvbind.Namespace, ks keys.Space, sm *sessions.Manager, previews *store.Repo[domain.Preview], sessionTTL time.Duration) *Editor {
	return &Editor{ns: ns, ks: ks, sm: sm, previews: previews, raw: rawText{ns: ns}, sessionTTL: max(sessionTTL, time.Hour)}
}

// Routes registers the editor endpoints on rt.
func (e *Editor) Routes(rt *httpx.Router) {
	auth := e.sm.Require
	rt.Handle(http.MethodPost, "/dashboard/workspace", auth(httpx.E(e.switchWorkspace)))
	rt.Handle(http.MethodGet, "/dashboard/lists/*", auth(httpx.E(e.lists)))
	rt.Handle(http.MethodGet, "/dashboard/drafts/*", auth(httpx.E(e.draftHTML)))
	rt.Handle(http.MethodPut, "/dashboard/previews/*", auth(httpx.E(e.savePreview)))
	rt.Handle(http.MethodGet, "/dashboard/limits", auth(httpx.E(e.planLimit)))
	rt.Handle(http.MethodGet, "/previews/*", httpx.E(e.showPreview))
	rt.Handle(http.MethodPost, "/dashboard/logout", http.HandlerFunc(e.sm.Logout))
}

func (e *Editor) switchWorkspace(w http.ResponseWriter, r *http.Request) error {
	cur, _ := sessions.Current(r.Context())
	var req struct{ Workspace string }
	if err := httpx.Decode(r, &req); err != nil || req.Workspace == "" {
		httpx.Error(w, http.StatusBadRequest, "workspace is required")
		return nil
	}
	kv, err := e.ns.Handle()
	if err != nil {
		return err
	}
	key := e.ks.Session(cur.UserID, cur.ID)
	v, err := kv.GetString(key, nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		httpx.Error(w, http.StatusUnauthorized, "session ended")
		return nil
	}
	var s domain.EditorSession
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return err
	}
	s.Workspace = req.Workspace
	b, _ := json.Marshal(s)
	if err := kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(e.sessionTTL.Seconds())}); err != nil { // EXPECT kvsession
		return err
	}
	httpx.JSON(w, http.StatusOK, s)
	return nil
}

func (e *Editor) lists(w http.ResponseWriter, r *http.Request) error {
	listID, view, _ := strings.Cut(httpx.Tail(r, "/dashboard/lists/"), "/")
	kv, err := e.ns.Handle()
	if err != nil {
		return err
	}
	prefix := e.ks.Subscribers(listID)
	switch view {
	case "count":
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"list_id": listID, "subscribers": len(res.Keys)})
	case "subscribers":
		// One page per request; the client passes the cursor back.
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: r.URL.Query().Get("cursor"), Limit: min(max(limit, 10), 1000)})
		if err != nil {
			return err
		}
		hashes := make([]string, 0, len(res.Keys))
		for _, k := range res.Keys {
			hashes = append(hashes, strings.TrimPrefix(k.Name, prefix))
		}
		next := res.Cursor
		if res.ListComplete {
			next = ""
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"subscribers": hashes, "cursor": next})
	default:
		http.NotFound(w, r)
	}
	return nil
}

func (e *Editor) draftHTML(w http.ResponseWriter, r *http.Request) error {
	id, part, _ := strings.Cut(httpx.Tail(r, "/dashboard/drafts/"), "/")
	if part == "meta" {
		return e.draftMeta(w, id)
	}
	v, err := e.raw.Text(e.ks.Draft(id) + ":html")
	if err != nil {
		return err
	}
	if len(v) == 0 { // EXPECT kvnull
		http.NotFound(w, r)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = io.WriteString(w, v)
	return err
}

// draftMeta returns the subject and sender of a draft, which the backend
// mirrors next to the HTML.
func (e *Editor) draftMeta(w http.ResponseWriter, id string) error {
	raw, err := e.raw.Text(e.ks.Draft(id) + ":meta") // EXPECT kvnull
	if err != nil {
		return err
	}
	var meta struct {
		Subject  string `json:"subject"`
		SenderID string `json:"sender_id"`
	}
	if err := json.Unmarshal([]byte(raw), &meta); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, meta)
	return nil
}

func (e *Editor) savePreview(w http.ResponseWriter, r *http.Request) error {
	id := httpx.Tail(r, "/dashboard/previews/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		return err
	}
	if err := e.previews.Put(r.Context(), id, domain.Preview{DraftID: id, HTML: string(body), RenderedAt: time.Now().UTC()}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (e *Editor) showPreview(w http.ResponseWriter, r *http.Request) error {
	p, err := e.previews.Get(r.Context(), httpx.Tail(r, "/previews/"))
	if errors.Is(err, kvstore.ErrNotFound) {
		httpx.Error(w, http.StatusNotFound, "this preview has expired")
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = io.WriteString(w, p.HTML)
	return err
}

// planLimit shows the send limit override of the current workspace.
func (e *Editor) planLimit(w http.ResponseWriter, r *http.Request) error {
	s, _ := sessions.Current(r.Context())
	kv, err := e.ns.Handle()
	if err != nil {
		return err
	}
	v, err := kv.GetString(e.ks.PlanLimit(s.Workspace), nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(v)
	httpx.JSON(w, http.StatusOK, map[string]int{"daily_limit": limit})
	return nil
}
