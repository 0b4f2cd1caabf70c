// Package kvnull holds kvnull's cases on github.com/syumai/workers.
package kvnull

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A miss check that a missing key never passes.
func flag(ns *kv.Namespace, name string) (bool, error) {
	v, err := ns.GetString("flag:"+name, nil)
	if err != nil {
		return false, err
	}
	if v == "" { // want `this miss check is never true: for a missing key GetString returns the string "<null>"`
		return false, nil
	}
	return v == "on", nil
}

// The same, on the length.
func banner(ns *kv.Namespace) string {
	v, err := ns.GetString("banner", nil)
	if err != nil || len(v) == 0 { // want `this miss check is never true`
		return "Welcome"
	}
	return v
}

// The same, with the JSON spelling of null.
func preview(ns *kv.Namespace, token string) (string, bool) {
	ref, err := ns.GetString("preview:"+token, nil)
	if err != nil || ref == "null" { // want `this miss check is never true: for a missing key GetString returns the string "<null>" \(syscall/js's rendering of the JS null\), not "null"`
		return "", false
	}
	return ref, true
}

// Quiet: the miss looked for as GetString reports it.
func motd(ns *kv.Namespace) string {
	v, err := ns.GetString("motd", nil)
	if err != nil || v == "<null>" {
		return ""
	}
	return v
}

// A value parsed with no check for the miss.
func limit(ns *kv.Namespace, plan string) (int, error) {
	v, err := ns.GetString("limit:"+plan, nil) // want `this value is parsed with no check for it`
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

type profile struct {
	Name string `json:"name"`
}

// Decoded with no check for the miss.
func loadProfile(ns *kv.Namespace, id string) (*profile, error) {
	raw, err := ns.GetString("profile:"+id, nil) // want `this value is parsed with no check for it`
	if err != nil {
		return nil, err
	}
	var p profile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Quiet: decoded after the miss check.
func findProfile(ns *kv.Namespace, id string) (*profile, bool, error) {
	raw, err := ns.GetString("profile:"+id, nil)
	if err != nil {
		return nil, false, err
	}
	if raw == "<null>" {
		return nil, false, nil
	}
	var p profile
	return &p, true, json.Unmarshal([]byte(raw), &p)
}

// store hands on what GetString read, unchecked; its callers see
// "<null>".
type store struct{ ns *kv.Namespace }

func (s *store) Get(key string) (string, error) { return s.ns.GetString(key, nil) }

func theme(s *store, user string) string {
	v, err := s.Get("theme:" + user)
	if err != nil || v == "" { // want `this miss check is never true`
		return "light"
	}
	return v
}

// The same, after trimming: "<null>" has no space to trim.
func eventBanner(s *store, event string) (string, bool) {
	v, err := s.Get("banner:" + event)
	if err != nil || strings.TrimSpace(v) == "" { // want `this miss check is never true`
		return "", false
	}
	return v, true
}

// cache looks for the miss and returns "" for it; its callers' checks
// are right.
type cache struct{ ns *kv.Namespace }

var errMiss = errors.New("miss")

func (c *cache) Get(key string) (string, error) {
	v, err := c.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if v == "<null>" {
		return "", errMiss
	}
	return v, nil
}

func locale(c *cache, user string) string {
	v, err := c.Get("locale:" + user)
	if err != nil || v == "" {
		return "en"
	}
	return v
}

// A reader that is never nil.
func avatar(ns *kv.Namespace, id string) ([]byte, error) {
	r, err := ns.GetReader("avatar:"+id, nil)
	if err != nil {
		return nil, err
	}
	if r == nil { // want `GetReader returns a reader over the JS null, not nil`
		return nil, nil
	}
	return io.ReadAll(r)
}

// Quiet for kvnull (kvrace's read-modify-write): GetString reports a
// missing key as "<null>", so a dropped error is a failure, not a miss
// mistaken for one.
func follow(ns *kv.Namespace, user, other string) error {
	raw, _ := ns.GetString("following:"+user, nil)
	var ids []string
	if raw != "<null>" {
		json.Unmarshal([]byte(raw), &ids)
	}
	ids = append(ids, other)
	b, _ := json.Marshal(ids)
	return ns.PutString("following:"+user, string(b), nil)
}

// Quiet for kvnull, likewise: the error logged, then "<null>".
func addTag(ns *kv.Namespace, post, tag string) error {
	raw, err := ns.GetString("tags:"+post, nil)
	if err != nil {
		log.Printf("tags: %v", err)
		raw = "<null>"
	}
	if raw == "<null>" {
		raw = ""
	}
	return ns.PutString("tags:"+post, raw+","+tag, nil)
}

// Quiet: a failed read ends the request.
func addLabel(ns *kv.Namespace, post, label string) error {
	raw, err := ns.GetString("labels:"+post, nil)
	if err != nil {
		return err
	}
	if raw == "<null>" {
		raw = ""
	}
	return ns.PutString("labels:"+post, raw+","+label, nil)
}

// Quiet: the write does not use what was read (a cache fill).
func fill(ns *kv.Namespace, key string, compute func() string) string {
	v, err := ns.GetString(key, nil)
	if err == nil && v != "<null>" {
		return v
	}
	fresh := compute()
	ns.PutString(key, fresh, &kv.PutOptions{ExpirationTTL: 300})
	return fresh
}

type puzzle struct {
	Grid string `json:"grid"`
}

// The parse failure is answered with a 500, which is what a missing
// puzzle then gets.
func servePuzzle(ns *kv.Namespace, w http.ResponseWriter, day string) {
	raw, err := ns.GetString("puzzle:"+day, nil) // want `this value is parsed with no check for it`
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	var p puzzle
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "corrupt puzzle", http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

// Quiet: a value that does not parse, a missing one included, reads as
// the default puzzle.
func puzzleOrDefault(ns *kv.Namespace, day string) puzzle {
	raw, err := ns.GetString("puzzle:"+day, nil)
	if err != nil {
		return puzzle{}
	}
	var p puzzle
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		p = puzzle{Grid: "default"}
	}
	return p
}

// limitStore looks for "<null>" itself and hands a miss back as an error
// of its own, as a storage port's adapter does.
type limitStore struct {
	ns  *kv.Namespace
	now func() time.Time
}

var errNoLimits = errors.New("no limits")

func (s *limitStore) get(key string) (string, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if v == "<null>" {
		return "", errNoLimits
	}
	return v, nil
}

// Every error, a failure as well as the miss, writes the defaults over
// what the account has.
func (s *limitStore) ensure(account string) (string, error) {
	key := "limits:" + account
	v, err := s.get(key) // want `every error of this get is taken for a missing key`
	if err != nil {
		v = `{"plan":"free","at":"` + s.now().Format(time.RFC3339) + `"}`
		return v, s.ns.PutString(key, v, nil)
	}
	return v, nil
}

// Quiet: only the miss writes the defaults.
func (s *limitStore) ensureMiss(account string) (string, error) {
	key := "limits:" + account
	v, err := s.get(key)
	if errors.Is(err, errNoLimits) {
		v = `{"plan":"free","at":"` + s.now().Format(time.RFC3339) + `"}`
		return v, s.ns.PutString(key, v, nil)
	}
	return v, err
}

// A reader of a key the client names, streamed back: a missing pass
// panics on the first read.
func pass(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	body, err := ns.GetReader("pass:"+r.PathValue("order"), nil) // want `GetReader returns a reader over the JS null, not an error, and reading it panics`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	io.Copy(w, body)
}

// Quiet: a key the program publishes itself, and a reader handed back
// to a caller that knows the key.
func sitemap(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	body, err := ns.GetReader("sitemap.xml", nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	io.Copy(w, body)
}

func open(ns *kv.Namespace, key string) (io.Reader, error) {
	return ns.GetReader(key, nil)
}

// Quiet: GetString said the key is there before the stream is read.
func passChecked(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	order := r.PathValue("order")
	if v, err := ns.GetString("pass:"+order, nil); err != nil || v == "<null>" {
		http.NotFound(w, nil)
		return
	}
	body, err := ns.GetReader("pass:"+order, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	io.Copy(w, body)
}

// Quiet: the keys come from a listing.
func exportAll(ns *kv.Namespace, w io.Writer) error {
	res, err := ns.List(&kv.ListOptions{Prefix: "pass:", Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		r, err := ns.GetReader(k.Name, nil)
		if err != nil {
			return err
		}
		io.Copy(w, r)
	}
	return nil
}

// A template read with no look for "<null>", whose parse error is handed on.
func render(ns *kv.Namespace, kind string, data any, w io.Writer) error {
	src, err := ns.GetString("template:"+kind, nil) // want `this value is parsed with no check for it`
	if err != nil {
		return err
	}
	tpl, err := template.New(kind).Parse(src)
	if err != nil {
		return err
	}
	return tpl.Execute(w, data)
}

// Quiet: the miss is looked for.
func renderOrDefault(ns *kv.Namespace, kind string, data any, w io.Writer) error {
	src, err := ns.GetString("template:"+kind, nil)
	if err != nil {
		return err
	}
	if src == "<null>" {
		src = "{{.}}"
	}
	tpl, err := template.New(kind).Parse(src)
	if err != nil {
		return err
	}
	return tpl.Execute(w, data)
}

// Getter is a port; GetterFunc lets a function serve as one.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type GetterFunc func(ctx context.Context, key string) ([]byte, error)

func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// flags holds its reader as the port, set once to a closure over GetString.
type flags struct {
	banner Getter
}

func newFlags(ns *kv.Namespace) *flags {
	return &flags{banner: GetterFunc(func(_ context.Context, key string) ([]byte, error) {
		s, err := ns.GetString(key, nil)
		return []byte(s), err
	})}
}

// The closure hands "<null>" on for a missing banner: never empty.
func (f *flags) bannerText(ctx context.Context) string {
	b, err := f.banner.Get(ctx, "flags:banner")
	if err != nil || len(b) == 0 { // want `this miss check is never true`
		return ""
	}
	return string(b)
}

// A page served straight from KV: a missing page is the text "<null>".
func page(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	html, err := ns.GetString("page:"+r.PathValue("name"), nil) // want `this value is sent as the response with no check for it`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	io.WriteString(w, html)
}

// Quiet: the miss is looked for before the page is served.
func pageChecked(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	html, err := ns.GetString("page:"+r.PathValue("name"), nil)
	if err != nil || html == "<null>" {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(html))
}

// Quiet: a value written to a log, not served.
func logPage(ns *kv.Namespace, w io.Writer, name string) {
	html, _ := ns.GetString("page:"+name, nil)
	io.WriteString(w, html)
}

type seatMap struct{ Sections []string }

// A reader of a key built from a name its caller gives: a missing seat
// map panics on the first read.
func seats(ns *kv.Namespace, drop string) (seatMap, error) {
	r, err := ns.GetReader("seatmap:"+drop, nil) // want `GetReader returns a reader over the JS null, not an error, and reading it panics`
	if err != nil {
		return seatMap{}, err
	}
	var m seatMap
	return m, json.NewDecoder(r).Decode(&m)
}

// An adapter that turns "<null>" into its own not-found error: a caller
// that drops the error reads a miss, and any failure, as "".
func capacity(c *cache, drop string) int {
	v, _ := c.Get("capacity:" + drop) // want `the error of this get is dropped`
	n, _ := strconv.Atoi(v)
	return n
}

// A wrapper whose own miss check is wrong, reported there.
func (c *cache) page(name string) (string, error) {
	v, err := c.ns.GetString("page:"+name, nil)
	if err != nil {
		return "", err
	}
	if v == "" { // want `this miss check is never true`
		return "<p>soon</p>", nil
	}
	return v, nil
}

// Quiet here: what the wrapper hands back is its own checks' business,
// reported in it.
func pageVia(c *cache, w http.ResponseWriter, name string) {
	html, err := c.page(name)
	if err != nil {
		return
	}
	io.WriteString(w, html)
}

// Quiet: a fixed key the program publishes itself.
func footer(ns *kv.Namespace, w http.ResponseWriter) {
	links, _ := ns.GetString("footer:links", nil)
	w.Write([]byte(links))
}
