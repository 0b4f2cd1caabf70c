package kvcounter

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/keynames"
)

// Counts kept in this isolate's memory and published to KV: every
// isolate writes its own count over the others'.
type tracker struct {
	mu     sync.Mutex
	views  map[string]int
	fails  map[string]int
	drafts map[string]int
	ns     *kv.Namespace
}

// The key built by a helper of a package that uses no KV, and written
// from a closure that runs after the response.
func (t *tracker) view(writer, post string, after func(func())) {
	key := keynames.Views(writer, post)
	t.mu.Lock()
	t.views[key]++
	n := t.views[key]
	t.mu.Unlock()
	after(func() {
		_ = t.ns.PutString(key, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
	})
}

// The key hashed by a helper of this package that Terms cannot express.
func lockoutKey(operator string) string {
	return fmt.Sprintf("login-attempts/%x", sha256.Sum256([]byte(strings.ToLower(operator))))
}

func (t *tracker) fail(operator string) error {
	t.mu.Lock()
	t.fails[operator]++
	n := t.fails[operator]
	t.mu.Unlock()
	return t.ns.PutString(lockoutKey(operator), strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

// A draft's revision number, kept in memory, names no count.
func (t *tracker) saveDraft(writer, body string) error {
	t.mu.Lock()
	t.drafts[writer]++
	n := t.drafts[writer]
	t.mu.Unlock()
	return t.ns.PutString(keynames.Draft(writer), strconv.Itoa(n)+"\n"+body, nil)
}

// Keys built piece by piece in a strings.Builder, by a helper of a
// package that uses no KV and by one of this package.
func (t *tracker) visit(writer, day string) error {
	key := keynames.Visits(writer, day)
	t.mu.Lock()
	t.views[key]++
	n := t.views[key]
	t.mu.Unlock()
	return t.ns.PutString(key, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

func clickKey(link string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "clicks/%s", link)
	return b.String()
}

func (t *tracker) click(link string) error {
	t.mu.Lock()
	t.views[link]++
	n := t.views[link]
	t.mu.Unlock()
	return t.ns.PutString(clickKey(link), strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

func draftKey(writer string) string {
	var b strings.Builder
	b.WriteString("draft/")
	b.WriteString(writer)
	return b.String()
}

// Quiet: a revision number under a key built the same way names no count.
func (t *tracker) revise(writer, body string) error {
	t.mu.Lock()
	t.drafts[writer]++
	n := t.drafts[writer]
	t.mu.Unlock()
	return t.ns.PutString(draftKey(writer), strconv.Itoa(n)+"\n"+body, nil)
}

// A count kept in a map of a struct the service holds by value.
type menuCounts struct {
	mu sync.Mutex
	n  map[string]int
}

type menus struct {
	views menuCounts
	ns    *kv.Namespace
}

func (m *menus) viewed(venue string) error {
	m.views.mu.Lock()
	m.views.n[venue]++
	n := m.views.n[venue]
	m.views.mu.Unlock()
	if n%10 != 0 {
		return nil
	}
	return m.ns.PutString("views:"+venue, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

// A count the event carries, one more than the count its publisher saw,
// written under a key named for counts.
type noShow struct {
	Diner string
	Prior int
}

func (m *menus) noShow(e noShow) error {
	return m.ns.PutString("noshow-count:"+e.Diner, strconv.Itoa(e.Prior+1), nil) // want `counter kept in KV: the key names a count`
}

// Quiet: a position the event carries, under a key that names no count.
func (m *menus) seated(e noShow) error {
	return m.ns.PutString("table:"+e.Diner, strconv.Itoa(e.Prior+1), nil)
}

// A tally kept in an atomic counter, published under a key that names it.
type statementViews struct {
	views map[string]*atomic.Int64
	ns    *kv.Namespace
}

func (s *statementViews) flush() error {
	for id, c := range s.views {
		if err := s.ns.PutString("statement-views:"+id, strconv.FormatInt(c.Load(), 10), nil); err != nil { // want `counter kept in KV: the key names a count and the value is a tally kept before the write`
			return err
		}
	}
	return nil
}

type deliveryFailed struct {
	ID      string
	Attempt int
}

// The attempts an event carries, written under a key that names them.
func (s *statementViews) onFailed(evt any) error {
	e, ok := evt.(deliveryFailed)
	if !ok {
		return nil
	}
	return s.ns.PutString("delivery-attempts:"+e.ID, strconv.Itoa(e.Attempt), nil) // want `counter kept in KV: the key names a count and the value is a tally kept before the write`
}

// Quiet: a limit from configuration, under a key that names limits.
func (s *statementViews) publishLimit(cfg struct {
	Tier  string
	Limit int
}) error {
	return s.ns.PutString("ratelimit:"+cfg.Tier, strconv.Itoa(cfg.Limit), nil)
}

// A count named where it is kept (views), under a key that names none.
func (t *tracker) board(name string) error {
	t.mu.Lock()
	t.views[name]++
	n := t.views[name]
	t.mu.Unlock()
	return t.ns.PutString("board:"+name, strconv.Itoa(n), nil) // want `this put writes a count kept in this process's memory`
}

// A type named for what it keeps, whose flush writes what each page
// has counted here since the last.
type PageCounter struct {
	mu     sync.Mutex
	totals map[string]int64
	dirty  map[string]bool
	ns     *kv.Namespace
}

func (c *PageCounter) Hit(page string) {
	c.mu.Lock()
	c.totals[page]++
	c.dirty[page] = true
	c.mu.Unlock()
}

func (c *PageCounter) Flush() error {
	c.mu.Lock()
	pending := make(map[string]int64, len(c.dirty))
	for page := range c.dirty {
		pending[page] = c.totals[page]
	}
	clear(c.dirty)
	c.mu.Unlock()
	for page, n := range pending {
		if err := c.ns.PutString("page:"+page, strconv.FormatInt(n, 10), nil); err != nil { // want `this put writes a count kept in this process's memory`
			return err
		}
	}
	return nil
}

// Quiet: a generation kept in memory names no count.
type generations struct {
	mu  sync.Mutex
	gen map[string]int
	ns  *kv.Namespace
}

func (g *generations) bump(space string) error {
	g.mu.Lock()
	g.gen[space]++
	n := g.gen[space]
	g.mu.Unlock()
	return g.ns.PutString("manifest:"+space, strconv.Itoa(n), nil)
}

// Quiet: the count is a field of a record made here, counted up in this
// call alone, not one kept in memory from before.
func (t *tracker) summarise(name string, parts []string) error {
	var rec struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	rec.Name = name
	for range parts {
		rec.Count++
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return t.ns.PutString("summary:"+name, string(b), nil)
}

type limitWindow struct {
	start time.Time
	n     int
}

// A rate limiter's count per key, kept in this isolate and shared
// through KV: each isolate writes its own count over the others'.
type limiter struct {
	mu      sync.Mutex
	windows map[string]*limitWindow
	ns      *kv.Namespace
}

func (l *limiter) Allow(key string) bool {
	l.mu.Lock()
	w := l.windows[key]
	if w == nil || time.Since(w.start) >= time.Minute {
		w = &limitWindow{start: time.Now()}
		l.windows[key] = w
	}
	w.n++
	n := w.n
	l.mu.Unlock()
	_ = l.ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 120}) // want `this put writes a count kept in this process's memory`
	return n <= 100
}

// Quiet: a snapshot that carries a count among other data is no count.
func (c *PageCounter) Snapshot(node string) error {
	c.mu.Lock()
	s := map[string]any{"node": node, "pages": len(c.totals), "home": c.totals["home"]}
	c.mu.Unlock()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.ns.PutString("snapshot:"+node, string(b), nil)
}
