//go:build js && wasm

// Package edge is the Worker in front of the registry. It answers the hot
// GOPROXY read paths (.info, .mod, @latest) from the GOMOD namespace, counts
// badge views and validates browser sessions before forwarding to the origin.
package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/hoiho-dev/hoiho/internal/modproxy"
)

const (
	kvMissing = "<null>"
	latestTTL = 45
	infoTTL   = 7 * 24 * 3600
)

// Edge holds the bindings of one Worker invocation.
type Edge struct {
	Mod    *cloudflare.KVNamespace
	Origin string
}

// New binds the GOMOD namespace.
func New(origin string) (*Edge, error) {
	ns, err := cloudflare.NewKVNamespace("GOMOD")
	if err != nil {
		return nil, err
	}
	return &Edge{Mod: ns, Origin: origin}, nil
}

func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	cloudflare.WaitUntil(func() {
		_ = e.Mod.PutString("edge:last-request", stamp, nil) // EXPECT kvhotkey
	})
	switch {
	case strings.HasPrefix(r.URL.Path, "/badge/"):
		e.badge(w, r)
	case strings.HasPrefix(r.URL.Path, "/_edge/modules"):
		e.modules(w, r)
	case strings.HasPrefix(r.URL.Path, "/account/"):
		e.account(w, r)
	default:
		e.goproxy(w, r)
	}
}

func (e *Edge) goproxy(w http.ResponseWriter, r *http.Request) {
	req, err := modproxy.ParseRequest(r.URL.Path)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	switch req.Kind {
	case modproxy.KindInfo, modproxy.KindMod:
		key := "gomod:" + req.Kind.String() + ":" + req.Escaped + "@" + req.Version
		v, err := e.Mod.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if v == kvMissing {
			body, status := e.origin(r)
			if status != http.StatusOK {
				w.WriteHeader(status)
				return
			}
			v = string(body)
			_ = e.Mod.PutString(key, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: infoTTL})
		}
		io.WriteString(w, v)
	case modproxy.KindLatest:
		key := "gomod:latest:" + req.Escaped
		v, err := e.Mod.GetString(key, &cloudflare.KVNamespaceGetOptions{
			CacheTTL: 15, // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if v == "" { // EXPECT kvnull
			body, status := e.origin(r)
			if status != http.StatusOK {
				w.WriteHeader(status)
				return
			}
			v = string(body)
			opts := &cloudflare.KVNamespacePutOptions{}
			opts.ExpirationTTL = latestTTL // EXPECT kvttl
			_ = e.Mod.PutString(key, v, opts)
		}
		io.WriteString(w, v)
	default:
		body, status := e.origin(r)
		w.WriteHeader(status)
		w.Write(body)
	}
}

func (e *Edge) origin(r *http.Request) ([]byte, int) {
	req, err := fetch.NewRequest(r.Context(), r.Method, e.Origin+r.URL.Path, nil)
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, http.StatusBadGateway
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body, resp.StatusCode
}

// badge renders a shields-style SVG with the module's view count.
func (e *Edge) badge(w http.ResponseWriter, r *http.Request) {
	mod := strings.TrimPrefix(r.URL.Path, "/badge/")
	key := "views:" + modproxy.EscapePath(mod)
	raw, err := e.Mod.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n, _ := strconv.Atoi(raw)
	n++
	_ = e.Mod.PutString(key, strconv.Itoa(n), nil) // EXPECT kvcounter|kvrace
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-cache")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20"><text x="4" y="14">views %d</text></svg>`, n)
}

type sessionView struct {
	UserID string `json:"uid"`
}

// account forwards account pages only for requests with a live session.
func (e *Edge) account(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("hoiho_session")
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	raw, err := e.Mod.GetString("sess:"+c.Value, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var sess sessionView
	if err := json.Unmarshal([]byte(raw), &sess); err != nil || sess.UserID == "" {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	r.Header.Set("X-Hoiho-User", sess.UserID)
	body, status := e.origin(r)
	w.WriteHeader(status)
	w.Write(body)
}

// modules lists every module with a version index, for the mirror checker.
func (e *Edge) modules(w http.ResponseWriter, r *http.Request) {
	var mods []string
	cursor := ""
	for {
		res, err := e.Mod.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: "gomod:versions:",
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			mods = append(mods, strings.TrimPrefix(k.Name, "gomod:versions:"))
		}
		cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(mods)
}
