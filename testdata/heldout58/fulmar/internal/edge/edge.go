//go:build js && wasm

// Package edge is the Worker that serves published menus, prices and table
// tabs at the edge from the MENUS and TABS KV bindings.
package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"fulmar/internal/keys"
	"fulmar/internal/ttl"
)

const (
	nullValue   = "<null>"
	menuCache   = 300
	priceCache  = 10
	tabLifetime = 3 * time.Hour
)

// Worker holds the bindings.
type Worker struct {
	menus *kv.Namespace
	tabs  *kv.Namespace
	http  *http.Client
	pos   string
}

// New returns a Worker; the KV bindings are resolved on first use because
// the environment is only available inside a request or cron invocation.
func New() *Worker {
	return &Worker{http: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)}
}

func (w *Worker) bind() error {
	if w.menus != nil {
		return nil
	}
	menus, err := cloudflare.NewKVNamespace("MENUS")
	if err != nil {
		return err
	}
	tabs, err := cloudflare.NewKVNamespace("TABS")
	if err != nil {
		return err
	}
	w.menus, w.tabs, w.pos = menus, tabs, cloudflare.Getenv("POS_ORIGIN")
	return nil
}

// Handler routes the public edge endpoints.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /m/{venue}/{locale}", w.serveMenu)
	mux.HandleFunc("GET /p/{venue}/{item}", w.servePrice)
	mux.HandleFunc("GET /v/{venue}", w.serveVenue)
	mux.HandleFunc("POST /tab/{venue}/{table}", w.openTab)
	mux.HandleFunc("GET /tab/{id}", w.showTab)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := w.bind(); err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		mux.ServeHTTP(rw, r)
	})
}

func (w *Worker) serveMenu(rw http.ResponseWriter, r *http.Request) {
	key := keys.Menu{Venue: keys.Venue(r.PathValue("venue")), Locale: r.PathValue("locale")}
	v, err := w.menus.GetString("menu:"+key.String(), &kv.GetOptions{CacheTTL: menuCache})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if v == nullValue {
		body, err := w.fromOrigin(r, key)
		if err != nil {
			http.Error(rw, "menu not published", http.StatusNotFound)
			return
		}
		v = body
	}
	_ = w.menus.PutString("edge:last-request", r.URL.Path, nil) // EXPECT kvhotkey
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "public, max-age=60")
	fmt.Fprint(rw, v)
}

// fromOrigin loads a menu from the POS and caches it for as long as the POS
// allows, but never less than a minute.
func (w *Worker) fromOrigin(r *http.Request, key keys.Menu) (string, error) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, w.pos+"/menus/"+string(key.Venue)+"?locale="+key.Locale, nil)
	res, err := w.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("origin: %s", res.Status)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	life, ok := ttl.MaxAge(res.Header)
	if !ok {
		life = 10 * time.Minute
	}
	err = w.menus.PutString("menu:"+key.String(), string(body), &kv.PutOptions{
		ExpirationTTL: int(max(life, ttl.Floor).Seconds()),
	})
	return string(body), err
}

func (w *Worker) servePrice(rw http.ResponseWriter, r *http.Request) {
	key := fmt.Sprintf("price:%s:%s", r.PathValue("venue"), r.PathValue("item"))
	v, err := w.menus.GetString(key, &kv.GetOptions{CacheTTL: priceCache}) // EXPECT kvttl
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Error(rw, "unknown item", http.StatusNotFound)
		return
	}
	cents, err := strconv.Atoi(v)
	if err != nil {
		http.Error(rw, "bad price", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(rw, `{"cents":%d}`, cents)
}

func (w *Worker) serveVenue(rw http.ResponseWriter, r *http.Request) {
	venue := r.PathValue("venue")
	var settings struct {
		Currency string `json:"currency"`
	}
	raw, err := w.menus.GetString("settings:"+venue, nil) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal([]byte(raw), &settings)
	}
	viewsKey := "views:" + venue
	cur, _ := w.menus.GetString(viewsKey, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(cur)
	cloudflare.WaitUntil(func() {
		_ = w.menus.PutString(viewsKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	})
	fmt.Fprintf(rw, `{"venue":%q,"currency":%q}`, venue, settings.Currency)
}

// tab is a table's shared order tab opened by scanning the QR code.
type tab struct {
	Venue   string    `json:"venue"`
	Table   string    `json:"table"`
	Opened  time.Time `json:"opened"`
	Touched time.Time `json:"touched"`
}

func (w *Worker) openTab(rw http.ResponseWriter, r *http.Request) {
	id := newID()
	t := tab{Venue: r.PathValue("venue"), Table: r.PathValue("table"), Opened: time.Now(), Touched: time.Now()}
	b, _ := json.Marshal(t)
	if err := w.tabs.PutString("tab:"+id, string(b), &kv.PutOptions{ExpirationTTL: int(tabLifetime.Seconds())}); err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: "tab", Value: id, MaxAge: int(tabLifetime.Seconds()), Path: "/"})
	fmt.Fprintf(rw, `{"id":%q}`, id)
}

func (w *Worker) showTab(rw http.ResponseWriter, r *http.Request) {
	key := "tab:" + r.PathValue("id")
	v, err := w.tabs.GetString(key, nil)
	if err != nil || v == nullValue {
		http.Error(rw, "tab closed", http.StatusNotFound)
		return
	}
	var t tab
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	t.Touched = time.Now()
	b, _ := json.Marshal(t)
	_ = w.tabs.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(tabLifetime.Seconds())}) // EXPECT kvsession|kvrace
	rw.Header().Set("Content-Type", "application/json")
	rw.Write(b)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
