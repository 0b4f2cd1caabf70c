//go:build js && wasm

// Package edge is the Worker in front of the site: it serves question pages
// from KV, counts views, and answers "already seen" checks for the feed
// without a round trip to the backend.
package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

// kvMissing is what GetString returns for a key that does not exist: the
// runtime resolves the promise with null and syscall/js renders it this way.
const kvMissing = "<null>"

const (
	pageTTL       = 300
	pageCacheTTL  = 120
	notFoundTTL   = 20
	originTimeout = 5 * time.Second
)

// Edge holds the bindings of one Worker invocation.
type Edge struct {
	Pages   *kv.Namespace // PAGES
	Metrics *kv.Namespace // METRICS
	Auth    *kv.Namespace // AUTH
	DB      *sql.DB       // D1 binding QA_DB
	Origin  string
}

// Open resolves the bindings.
func Open() (*Edge, error) {
	pages, err := kv.NewNamespace("PAGES")
	if err != nil {
		return nil, err
	}
	metrics, err := kv.NewNamespace("METRICS")
	if err != nil {
		return nil, err
	}
	auth, err := kv.NewNamespace("AUTH")
	if err != nil {
		return nil, err
	}
	conn, err := d1.OpenConnector("QA_DB")
	if err != nil {
		return nil, err
	}
	return &Edge{Pages: pages, Metrics: metrics, Auth: auth, DB: sql.OpenDB(conn), Origin: cloudflare.Getenv("ORIGIN")}, nil
}

// Handler routes the Worker's requests.
func (e *Edge) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /q/{id}", e.question)
	mux.HandleFunc("GET /q/{id}/meta", e.questionMeta)
	mux.HandleFunc("POST /q/{id}/seen", e.markSeen)
	mux.HandleFunc("GET /tags/{tag}", e.tagPage)
	mux.HandleFunc("GET /tags/{tag}/all", e.tagAll)
	mux.HandleFunc("POST /answer", e.postAnswer)
	mux.HandleFunc("GET /me", e.me)
	return mux
}

func questionID(r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	return id, err == nil
}

func pageKey(id uint64) string { return fmt.Sprintf("page:q:%d", id) }

// question serves the rendered page of a question, filling KV from the
// origin on a miss.
func (e *Edge) question(w http.ResponseWriter, r *http.Request) {
	id, ok := questionID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	html, err := e.Pages.GetString(pageKey(id), &kv.GetOptions{CacheTTL: pageCacheTTL})
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if html == kvMissing {
		var status int
		html, status = e.render(id)
		switch status {
		case http.StatusOK:
			if err := e.Pages.PutString(pageKey(id), html, &kv.PutOptions{ExpirationTTL: pageTTL}); err != nil {
				http.Error(w, "kv", http.StatusBadGateway)
				return
			}
		case http.StatusNotFound:
			opts := &kv.PutOptions{}
			opts.ExpirationTTL = notFoundTTL // EXPECT kvttl
			_ = e.Pages.PutString(pageKey(id), "", opts)
			http.NotFound(w, r)
			return
		default:
			http.Error(w, "origin", http.StatusBadGateway)
			return
		}
	}
	if html == "" {
		http.NotFound(w, r)
		return
	}
	e.countView(id)
	_ = e.Pages.PutString("edge:last-question", strconv.FormatUint(id, 10), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
}

func (e *Edge) render(id uint64) (string, int) {
	client := &http.Client{Timeout: originTimeout}
	res, err := client.Get(fmt.Sprintf("%s/render/q/%d", e.Origin, id))
	if err != nil {
		return "", http.StatusBadGateway
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String(), res.StatusCode
}

// countView bumps the view total of question id.
func (e *Edge) countView(id uint64) {
	key := fmt.Sprintf("views:q:%d", id)
	cur, err := e.Metrics.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if cur != kvMissing {
		n, _ = strconv.Atoi(cur)
	}
	_ = e.Metrics.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// QuestionMeta is the small JSON the question list renders from.
type QuestionMeta struct {
	ID      uint64 `json:"id"`
	Title   string `json:"title"`
	Answers int    `json:"answers"`
	Score   int    `json:"score"`
}

// questionMeta answers from KV, falling back to D1.
func (e *Edge) questionMeta(w http.ResponseWriter, r *http.Request) {
	id, ok := questionID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	key := fmt.Sprintf("meta:q:%d", id)
	v, err := e.Pages.GetString(key, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if v == kvMissing {
		var m QuestionMeta
		row := e.DB.QueryRowContext(r.Context(), `SELECT id, title, answer_count, score FROM questions WHERE id = ?`, id)
		if err := row.Scan(&m.ID, &m.Title, &m.Answers, &m.Score); err != nil {
			http.NotFound(w, r)
			return
		}
		raw, _ := json.Marshal(m)
		v = string(raw)
		_ = e.Pages.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(time.Hour)}) // EXPECT kvttl
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}
