// Package admin has the back-office tools: a full export of every namespace
// for the archive team, and a key browser.
package admin

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/sync/errgroup"

	"example.com/newsroom/internal/httpx"
)

// Blobs stores finished export archives (R2 in production).
type Blobs interface {
	Put(ctx context.Context, key string, body []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// Tool is the admin toolset.
type Tool struct {
	namespaces map[string]*kv.Namespace
	settings   *kv.Namespace
	blobs      Blobs
	log        *slog.Logger
}

// New returns the admin tools over the named bindings. settings is the
// namespace holding admin configuration and export tokens.
func New(namespaces map[string]*kv.Namespace, settings *kv.Namespace, blobs Blobs, log *slog.Logger) *Tool {
	return &Tool{namespaces: namespaces, settings: settings, blobs: blobs, log: log}
}

// Routes returns the handler table.
func (t *Tool) Routes() httpx.Routes {
	return httpx.Routes{
		"POST /admin/export":         t.export,
		"GET /admin/export/download": t.download,
		"GET /admin/keys":            t.browse,
		"GET /admin/keys/audit":      t.audit,
		"GET /admin/keys/orphans":    t.orphans,
	}
}

type exportSettings struct {
	Prefixes map[string][]string `json:"prefixes"`
	Workers  int                 `json:"workers"`
}

func (t *Tool) loadSettings() (exportSettings, error) {
	var s exportSettings
	raw, err := t.settings.GetString("admin:export-settings", nil) // EXPECT kvnull
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("export settings: %w", err)
	}
	return s, nil
}

type record struct {
	Namespace string `json:"ns"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

func (t *Tool) export(w http.ResponseWriter, r *http.Request) {
	settings, err := t.loadSettings()
	if err != nil {
		httpx.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	var (
		mu   sync.Mutex
		recs []record
	)
	setStatus := t.settings.PutString
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(max(settings.Workers, 1))
	for name, ns := range t.namespaces {
		for _, prefix := range settings.Prefixes[name] {
			if err := setStatus("admin:export:status", "exporting "+name+"/"+prefix, nil); err != nil { // EXPECT kvhotkey
				t.log.Warn("status update failed", "err", err)
			}
			g.Go(func() error {
				got, err := dumpPrefix(ctx, name, ns, prefix)
				if err != nil {
					return err
				}
				mu.Lock()
				recs = append(recs, got...)
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		httpx.Error(w, http.StatusBadGateway, err.Error())
		return
	}
	archive, err := zipRecords(recs)
	if err != nil {
		httpx.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	objectKey := "exports/" + time.Now().UTC().Format("20060102T150405") + ".zip"
	if err := t.blobs.Put(r.Context(), objectKey, archive); err != nil {
		httpx.Error(w, http.StatusBadGateway, err.Error())
		return
	}
	token := randomHex(16)
	if err := t.settings.PutString("export-token:"+token, objectKey, &kv.PutOptions{ExpirationTTL: 900}); err != nil { // DEBATABLE kvsession
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	http.Redirect(w, r, "/admin/export/download?token="+token, http.StatusSeeOther)
}

// dumpPrefix reads every key under prefix with its value.
func dumpPrefix(ctx context.Context, name string, ns *kv.Namespace, prefix string) ([]record, error) {
	var out []record
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, fmt.Errorf("list %s/%s: %w", name, prefix, err)
		}
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if v == "<null>" {
				continue // expired between list and get
			}
			out = append(out, record{Namespace: name, Key: k.Name, Value: v})
		}
		if res.ListComplete {
			return out, nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
}

func (t *Tool) download(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	objectKey, err := t.settings.GetString("export-token:"+token, nil)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if objectKey == "<null>" {
		httpx.Error(w, http.StatusNotFound, "unknown or expired export")
		return
	}
	body, err := t.blobs.Get(r.Context(), objectKey)
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="newsroom-export.zip"`)
	_, _ = w.Write(body)
}

func zipRecords(recs []record) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("records.jsonl")
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	for _, rec := range recs {
		if err := enc.Encode(rec); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func (t *Tool) namespace(r *http.Request) (*kv.Namespace, bool) {
	ns, ok := t.namespaces[r.URL.Query().Get("ns")]
	return ns, ok
}

// browse returns one page of keys; the UI passes the cursor back for more.
func (t *Tool) browse(w http.ResponseWriter, r *http.Request) {
	ns, ok := t.namespace(r)
	if !ok {
		httpx.Error(w, http.StatusBadRequest, "unknown namespace")
		return
	}
	q := r.URL.Query()
	res, err := ns.List(&kv.ListOptions{Prefix: q.Get("prefix"), Cursor: q.Get("cursor"), Limit: 1000})
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, err.Error())
		return
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
}

// audit counts keys per prefix segment, reading at most maxPages pages.
func (t *Tool) audit(w http.ResponseWriter, r *http.Request) {
	ns, ok := t.namespace(r)
	if !ok {
		httpx.Error(w, http.StatusBadRequest, "unknown namespace")
		return
	}
	maxPages := 20
	if v, err := strconv.Atoi(r.URL.Query().Get("pages")); err == nil && v > 0 && v < maxPages {
		maxPages = v
	}
	counts := map[string]int{}
	cursor := ""
	truncated := true
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: r.URL.Query().Get("prefix"), Cursor: cursor})
		if err != nil {
			httpx.Error(w, http.StatusBadGateway, err.Error())
			return
		}
		for _, k := range res.Keys {
			seg, _, _ := strings.Cut(k.Name, ":")
			counts[seg]++
		}
		if res.ListComplete {
			truncated = false
			break
		}
		cursor = res.Cursor
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"counts": counts, "truncated": truncated, "cursor": cursor})
}

// orphans returns one page of wire stories that never made it to a draft.
func (t *Tool) orphans(w http.ResponseWriter, r *http.Request) {
	ns, ok := t.namespaces["CONTENT"]
	if !ok {
		httpx.Error(w, http.StatusInternalServerError, "CONTENT not bound")
		return
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: "wire-story:",
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, err.Error())
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "wire-story:"))
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"ids": names, "cursor": next})
}
