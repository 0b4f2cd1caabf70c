package deploy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"sunbird/internal/kvstore"
	"sunbird/internal/sitefs"
)

// API is the deploy API used by the CLI and the CI integrations.
type API struct {
	Uploader *Uploader
	// PreviewTTL is how long a preview link works; it comes from the
	// plan of the site's owner.
	PreviewTTL time.Duration
	// DeployLimit is how many API calls a token may make per minute.
	DeployLimit int
}

func (a *API) kv() *kvstore.Namespace { return a.Uploader.KV }

// Routes registers the API's handlers.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/sites/{site}/claim", a.claim)
	mux.HandleFunc("PUT /v1/sites/{site}/deploys/{deploy}/files/{file...}", a.limited(a.putFile))
	mux.HandleFunc("GET /v1/sites/{site}/deploys/{deploy}/files/{file...}", a.getFile)
	mux.HandleFunc("GET /v1/sites/{site}/deploys/{deploy}/files/", a.browse)
	mux.HandleFunc("GET /v1/sites/{site}/deploys/{deploy}/keys", a.listKeys)
	mux.HandleFunc("POST /v1/sites/{site}/deploys/{deploy}/promote", a.limited(a.promote))
	mux.HandleFunc("POST /v1/sites/{site}/deploys/{deploy}/previews", a.createPreview)
	mux.HandleFunc("DELETE /v1/previews/{token}", a.revokePreview)
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// limited applies the per-token call budget of the deploy API.
func (a *API) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			http.Error(w, "missing token", http.StatusUnauthorized)
			return
		}
		key := "ratelimit/deploy-api/" + tok[:min(12, len(tok))] + "/" + time.Now().UTC().Format("200601021504")
		n := 0
		if raw, err := a.kv().Get(r.Context(), key); err == nil {
			n, _ = strconv.Atoi(string(raw))
		}
		if a.DeployLimit > 0 && n >= a.DeployLimit {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		if err := a.kv().Put(r.Context(), key, []byte(strconv.Itoa(n+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("api: rate counter: %v", err)
		}
		next(w, r)
	}
}

type siteClaim struct {
	Owner   string    `json:"owner"`
	Claimed time.Time `json:"claimed"`
}

// claim reserves <site>.sunbird.page for the caller's account.
func (a *API) claim(w http.ResponseWriter, r *http.Request) {
	site := strings.ToLower(r.PathValue("site"))
	owner := r.Header.Get("X-Account-ID")
	key := "subdomains/" + site
	if _, err := a.kv().Get(r.Context(), key); err == nil {
		http.Error(w, "subdomain taken", http.StatusConflict)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	val, _ := json.Marshal(siteClaim{Owner: owner, Claimed: time.Now().UTC()})
	if err := a.kv().Put(r.Context(), key, val, 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// putFile uploads or replaces one file of a deploy (used by incremental
// deploys from CI).
func (a *API) putFile(w http.ResponseWriter, r *http.Request) {
	site, id, name := r.PathValue("site"), r.PathValue("deploy"), r.PathValue("file")
	if !fs.ValidPath(name) {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFileSize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctype := r.Header.Get("Content-Type")
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	meta := sitefs.FileMeta{Size: int64(len(body)), ModUnix: time.Now().Unix(), Type: ctype}
	if _, err := a.kv().API.WriteWorkersKVEntries(r.Context(), a.kv().RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: a.kv().ID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: sitefs.Prefix(site, id) + name, Value: string(body), Metadata: meta}},
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	if err := a.kv().Put(r.Context(), "deploys/last-upload", stamp, 0); err != nil { // EXPECT kvhotkey
		log.Printf("api: last-upload stamp: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// getFile serves one file of a deploy with range and conditional support.
func (a *API) getFile(w http.ResponseWriter, r *http.Request) {
	site, id, name := r.PathValue("site"), r.PathValue("deploy"), r.PathValue("file")
	m, ok, err := a.Uploader.LoadManifest(r.Context(), site, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	fi, ok := m.Files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	sfs := &sitefs.FS{KV: a.kv(), Site: site, Deploy: id, Ctx: r.Context()}
	f, err := sfs.Open(name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer f.Close()
	if fi.Type != "" {
		w.Header().Set("Content-Type", fi.Type)
	}
	http.ServeContent(w, r, name, fi.Mod, f.(io.ReadSeeker))
}

// browse serves a deploy as a directory tree.
func (a *API) browse(w http.ResponseWriter, r *http.Request) {
	site, id := r.PathValue("site"), r.PathValue("deploy")
	sfs := &sitefs.FS{KV: a.kv(), Site: site, Deploy: id, Ctx: r.Context()}
	prefix := "/v1/sites/" + site + "/deploys/" + id + "/files"
	http.StripPrefix(prefix, http.FileServerFS(sfs)).ServeHTTP(w, r)
}

// listKeys returns one page of a deploy's keys; the client follows cursor.
func (a *API) listKeys(w http.ResponseWriter, r *http.Request) {
	site, id := r.PathValue("site"), r.PathValue("deploy")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	limit = min(max(limit, 10), 1000)
	page, err := a.kv().ListPage(r.Context(), sitefs.Prefix(site, id), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		names[i] = strings.TrimPrefix(k.Name, sitefs.Prefix(site, id))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": page.Cursor})
}

// promote makes a deploy live and streams the steps to the caller.
func (a *API) promote(w http.ResponseWriter, r *http.Request) {
	site, id := r.PathValue("site"), r.PathValue("deploy")
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	step := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\n", args...)
		_ = rc.Flush()
	}
	m, ok, err := a.Uploader.LoadManifest(r.Context(), site, id)
	if err != nil || !ok {
		http.Error(w, "unknown deploy", http.StatusNotFound)
		return
	}
	step("checking %d files", len(m.Files))
	sfs := &sitefs.FS{KV: a.kv(), Site: site, Deploy: id, Ctx: r.Context()}
	if matches, _ := fs.Glob(sfs, "*.html"); len(matches) == 0 {
		step("warning: no HTML at the root of the deploy")
	}
	if err := a.Uploader.Promote(r.Context(), site, id); err != nil {
		step("error: %v", err)
		return
	}
	step("live: %s -> %s", site, id)
}

type previewLink struct {
	Site    string    `json:"site"`
	Deploy  string    `json:"deploy"`
	Created time.Time `json:"created"`
	By      string    `json:"by"`
}

func newToken() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// createPreview mints a shareable preview link for a deploy.
func (a *API) createPreview(w http.ResponseWriter, r *http.Request) {
	link := previewLink{Site: r.PathValue("site"), Deploy: r.PathValue("deploy"), Created: time.Now().UTC(), By: r.Header.Get("X-Account-ID")}
	tok := newToken()
	val, _ := json.Marshal(link)
	ttl := a.PreviewTTL
	if ttl < time.Hour {
		ttl = 24 * time.Hour
	}
	if err := a.kv().Put(r.Context(), "preview-tokens/"+tok, val, ttl); err != nil { // DEBATABLE kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"url": "https://" + link.Site + ".preview.sunbird.page/?t=" + tok})
}

// revokePreview disables a preview link before it expires.
func (a *API) revokePreview(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := a.kv().Delete(ctx, "preview-tokens/"+tok); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
