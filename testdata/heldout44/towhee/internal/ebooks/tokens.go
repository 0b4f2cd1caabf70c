//go:build js && wasm

// Package ebooks issues and checks e-book lending tokens. The reading app
// presents a token to the content server, which asks the Worker whether
// it is still valid.
package ebooks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/edgekv"
	"github.com/riverside-libraries/towhee/internal/keys"
)

// Grant is the value stored under a lending token.
type Grant struct {
	ISBN   string    `json:"isbn"`
	Card   string    `json:"card"`
	Issued time.Time `json:"issued"`
	Due    time.Time `json:"due"`
}

// availability is the licence pool of one title.
type availability struct {
	Licences  int `json:"licences"`
	Available int `json:"available"`
}

// Service issues tokens. It is a small value type; handlers copy it.
type Service struct {
	Binding string
	Cfg     config.Config
	Period  time.Duration
}

// Register mounts the routes.
func (s Service) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /ebooks/{isbn}/borrow", s.borrow)
	mux.HandleFunc("POST /ebooks/tokens/{id}/return", s.giveBack)
	mux.HandleFunc("GET /ebooks/tokens/{id}", s.check)
	mux.HandleFunc("POST /ebooks/class-sets", s.classSet)
}

func newToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// adjustCopies moves the available licence count of isbn by delta.
func adjustCopies(ns *kv.Namespace, isbn string, delta int) (int, error) {
	key := "ebook:copies:" + isbn
	raw, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	var a availability
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return 0, fmt.Errorf("copies %s: %w", isbn, err)
	}
	if a.Available+delta < 0 {
		return 0, fmt.Errorf("no licences left for %s", isbn)
	}
	a.Available = min(a.Available+delta, a.Licences)
	b, _ := json.Marshal(a)
	if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return a.Available, nil
}

// activeLoans returns the token ids the card holds now; it reports false
// when the card holds more than fit in one page.
func activeLoans(st *edgekv.Store, card string, limit int) ([]string, bool, error) {
	page, next, err := st.Page(fmt.Sprintf("ebook:patron:%s:", card), "", limit)
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, 0, len(page))
	for _, k := range page {
		ids = append(ids, k.Name)
	}
	return ids, next == "", nil
}

// issue stores a grant for one token under its own key and indexes it
// under the card.
func (s Service) issue(st *edgekv.Store, g Grant) (string, error) {
	id := newToken()
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	if err := st.PutAtLeast(keys.Token(id), string(b), time.Until(g.Due)); err != nil {
		return "", err
	}
	idx := fmt.Sprintf("ebook:patron:%s:%s", g.Card, id)
	if err := st.PutAtLeast(idx, g.ISBN, time.Until(g.Due)); err != nil {
		return "", err
	}
	return id, nil
}

func (s Service) borrow(w http.ResponseWriter, r *http.Request) {
	isbn := r.PathValue("isbn")
	card := r.Header.Get("X-Towhee-Card")
	if card == "" {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	st, err := openLending(s.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	active, complete, err := activeLoans(st, card, s.Cfg.MaxEbookLoans+1)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !complete || len(active) >= s.Cfg.MaxEbookLoans {
		http.Error(w, "e-book loan limit reached", http.StatusConflict)
		return
	}
	if _, err := adjustCopies(st.NS, isbn, -1); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}

	now := time.Now().UTC()
	due := now.Add(s.Period)
	g := Grant{ISBN: isbn, Card: card, Issued: now, Due: due}
	id := newToken()
	b, _ := json.Marshal(g)
	if err := st.Put(keys.Token(id), string(b), time.Until(due)); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := st.PutAtLeast(fmt.Sprintf("ebook:patron:%s:%s", card, id), isbn, time.Until(due)); err != nil {
		log.Printf("index token %s: %v", id, err)
	}

	day := now.Format("20060102")
	if err := st.Put(fmt.Sprintf("ebook:quota:%s:%s", card, day), strconv.Itoa(len(active)+1), 26*time.Hour); err != nil { // EXPECT kvcounter
		log.Printf("quota %s: %v", card, err)
	}

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": id, "due": due})
}

// openLending binds the lending namespace with the audit hooks attached.
func openLending(binding string) (*edgekv.Store, error) {
	st, err := edgekv.Open(binding)
	if err != nil {
		return nil, err
	}
	st.BeforeSave(func(key string, value *string) error {
		if len(*value) > 64<<10 {
			return fmt.Errorf("lending value for %s is %d bytes", key, len(*value))
		}
		return nil
	})
	st.AfterDelete(func(key string) {
		entry := fmt.Sprintf("%s deleted at %s", key, time.Now().UTC().Format(time.RFC3339Nano))
		if err := st.Put(fmt.Sprintf("audit:delete:%d:%s", time.Now().UnixNano(), key), entry, 90*24*time.Hour); err != nil {
			log.Printf("audit %s: %v", key, err)
		}
	})
	return st, nil
}

func (s Service) giveBack(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, err := openLending(s.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var g Grant
	ok, err := st.GetJSON(keys.Token(id), &g)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "unknown token", http.StatusNotFound)
		return
	}
	if err := st.Delete(keys.Token(id)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if _, err := adjustCopies(st.NS, g.ISBN, +1); err != nil {
		log.Printf("return %s: %v", g.ISBN, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// check answers the content server: is this token good right now?
func (s Service) check(w http.ResponseWriter, r *http.Request) {
	ns, err := cloudflare.NewKVNamespace(s.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v, err := ns.GetString(keys.Token(r.PathValue("id")), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "<null>" {
		http.Error(w, "token not valid", http.StatusForbidden)
		return
	}
	var g Grant
	if err := json.Unmarshal([]byte(v), &g); err != nil || time.Now().After(g.Due) {
		http.Error(w, "token not valid", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}

type classSetResult struct {
	ISBN  string
	Token string
	Err   error
}

// classSet issues one token per title for a teacher's class list.
func (s Service) classSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Card  string   `json:"card"`
		ISBNs []string `json:"isbns"`
		Weeks int      `json:"weeks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Card == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Weeks <= 0 || req.Weeks > 6 {
		req.Weeks = 3
	}
	st, err := edgekv.Open(s.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	due := time.Now().UTC().Add(time.Duration(req.Weeks) * 7 * 24 * time.Hour)

	results := make(chan classSetResult, len(req.ISBNs))
	var wg sync.WaitGroup
	for _, isbn := range req.ISBNs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := s.issue(st, Grant{ISBN: isbn, Card: req.Card, Issued: time.Now().UTC(), Due: due})
			if err == nil {
				err = st.Put("ebooks:last-issued", id, 0) // EXPECT kvhotkey
			}
			results <- classSetResult{ISBN: isbn, Token: id, Err: err}
		}()
	}
	wg.Wait()
	close(results)

	out := map[string]string{}
	failed := 0
	for res := range results {
		if res.Err != nil {
			failed++
			log.Printf("class set %s: %v", res.ISBN, res.Err)
			continue
		}
		out[res.ISBN] = res.Token
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"tokens": out, "failed": failed})
}
