// Package kvhotkey holds kvhotkey's cases on github.com/syumai/workers.
package kvhotkey

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type event struct {
	ID   string
	Kind string
}

// A progress key written once per event.
func ingest(ns *kv.Namespace, events []event) error { // want ingest:"kvhotkey"
	for i, ev := range events {
		if err := ns.PutString("event:"+ev.ID, ev.Kind, nil); err != nil {
			return err
		}
		if err := ns.PutString("ingest:progress", strconv.Itoa(i), nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// The key built inside the loop, from values made before it.
func checkpoint(ns *kv.Namespace, feed string, items []string) { // want checkpoint:"kvhotkey"
	for _, it := range items {
		ns.PutString("feed:"+feed+":last", it, nil) // want `this loop writes the same KV key on every iteration`
	}
}

// Quiet: written once after the loop.
func checkpointOnce(ns *kv.Namespace, feed string, items []string) {
	last := ""
	for _, it := range items {
		last = it
	}
	ns.PutString("feed:"+feed+":last", last, nil)
}

// Quiet: one key per item.
func index(ns *kv.Namespace, items []event) {
	for _, it := range items {
		ns.PutString("kind:"+it.ID, it.Kind, nil)
	}
}

// Quiet: a retry of one write.
func save(ns *kv.Namespace, v string) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = ns.PutString("state", v, nil); err == nil {
			return nil
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	return err
}

// Quiet: the first match is written, and the loop left.
func firstAdmin(ns *kv.Namespace, users []event) {
	for _, u := range users {
		if u.Kind == "admin" {
			ns.PutString("admin", u.ID, nil)
			break
		}
	}
}

// Quiet: a heartbeat paced by a ticker.
func heartbeat(ns *kv.Namespace, stop <-chan struct{}) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			ns.PutString("worker:heartbeat", now.Format(time.RFC3339), nil)
		}
	}
}

// A heartbeat on a ticker faster than a second.
func pulse(ns *kv.Namespace, stop <-chan struct{}) { // want pulse:"kvhotkey"
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			ns.PutString("worker:alive", now.Format(time.RFC3339Nano), nil) // want `this loop writes the same KV key on every iteration`
		}
	}
}

type stats struct{ ns *kv.Namespace }

func (s *stats) record(key, v string) error { return s.ns.PutString(key, v, nil) }

// A constant key written on every request.
func (s *stats) serve(w http.ResponseWriter, r *http.Request) { // want serve:"kvhotkey"
	b, _ := json.Marshal(map[string]string{"path": r.URL.Path, "at": time.Now().UTC().Format(time.RFC3339)})
	s.ns.PutString("last-request", string(b), nil) // want `this handler writes the same KV key on every request`
	w.WriteHeader(http.StatusNoContent)
}

// The same through a helper, in a handler closure.
func routes(s *stats) *http.ServeMux { // want routes:"kvhotkey"
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		s.record("status:last-ping", time.Now().String()) // want `this handler writes the same KV key on every request`
	})
	// Quiet: a key per visitor.
	mux.HandleFunc("/visit", func(w http.ResponseWriter, r *http.Request) {
		s.record("seen:"+r.RemoteAddr, time.Now().String())
	})
	// Quiet: configuration an admin sets.
	mux.HandleFunc("/admin/banner", func(w http.ResponseWriter, r *http.Request) {
		s.record("site:banner", r.FormValue("text"))
	})
	// Quiet: a scheduler's trigger, hit once a tick.
	mux.HandleFunc("POST /internal/cron/rollup", func(w http.ResponseWriter, r *http.Request) {
		s.record("rollup:last-run", time.Now().String())
	})
	mux.HandleFunc("POST /internal/cron/sweep", s.sweepNow)
	return mux
}

// Quiet: a method registered under the scheduler's route.
func (s *stats) sweepNow(w http.ResponseWriter, r *http.Request) {
	s.record("sweep:last-run", time.Now().String())
}

// Quiet: written once, when missing.
func (s *stats) install(w http.ResponseWriter, r *http.Request) {
	v, err := s.ns.GetString("installed-at", nil)
	if err == nil && v == "<null>" {
		s.ns.PutString("installed-at", time.Now().String(), nil)
	}
}

var errTaken = errors.New("name taken")

func (s *stats) claim(name string) error {
	v, err := s.ns.GetString("name:"+name, nil)
	if err != nil {
		return err
	}
	if v != "<null>" {
		return errTaken
	}
	return s.record("name:"+name, "1")
}

// A test of what the claim said is no miss: the key "signups:latest"
// is written on every sign-up, taken name or not.
func (s *stats) signup(w http.ResponseWriter, r *http.Request) { // want signup:"kvhotkey"
	err := s.claim(r.FormValue("name"))
	if err != nil && !errors.Is(err, errTaken) {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	s.ns.PutString("signups:latest", r.FormValue("name"), nil) // want `this handler writes the same KV key on every request`
}

// The dashboard reads the key; that is no guard of the writes above.
func (s *stats) dashboard(w http.ResponseWriter, r *http.Request) {
	v, _ := s.ns.GetString("signups:latest", nil)
	w.Write([]byte(v))
}

// A health check that writes: its key's z is the z of healthz.
func (s *stats) healthz(w http.ResponseWriter, r *http.Request) { // want healthz:"kvhotkey"
	s.ns.PutString("healthz", "ok", nil) // want `this handler writes the same KV key on every request`
}

// Each task started in the loop writes the same progress key.
func reindex(ns *kv.Namespace, ids []string) { // want reindex:"kvhotkey"
	var wg sync.WaitGroup
	var done atomic.Int64
	for _, id := range ids {
		wg.Go(func() {
			if err := ns.PutString("doc:"+id, "{}", nil); err != nil {
				return
			}
			n := done.Add(1)
			_ = ns.PutString("reindex:progress", strconv.FormatInt(n, 10), nil) // want `writes the same KV key`
		})
	}
	wg.Wait()
}

// The same with go statements, the key made before the loop.
func rebuild(ns *kv.Namespace, job string, ids []string) { // want rebuild:"kvhotkey"
	progress := "rebuild:" + job
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ns.PutString("doc:"+id, "{}", nil)
			_ = ns.PutString(progress, strconv.Itoa(i), nil) // want `writes the same KV key`
		}()
	}
	wg.Wait()
}

// Quiet: each task writes its own key, and records a failure only when
// it has one.
func publishAll(ns *kv.Namespace, ids []string) {
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if err := ns.PutString("pub:"+id, "1", nil); err != nil {
				_ = ns.PutString("publish:last-error", err.Error(), nil)
			}
		})
	}
	wg.Wait()
}

// A range over what a get read is no miss test: the write after the loop
// runs on every request.
func grade(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) { // want grade:"kvhotkey"
	raw, err := ns.GetString("answers:"+r.PathValue("quiz"), nil)
	if err != nil || raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var answers map[string]string
	_ = json.Unmarshal([]byte(raw), &answers)
	score := 0
	for id, want := range answers {
		if r.FormValue(id) == want {
			score++
		}
	}
	_ = ns.PutString("scores:recent", strconv.Itoa(score), nil) // want `this handler writes the same KV key on every request`
}

// partWriter names each part it stores by a counter that flush advances.
type partWriter struct {
	ns    *kv.Namespace
	key   string
	parts int
}

func (w *partWriter) flush(part string) error {
	if err := w.ns.PutString(w.key+"/"+strconv.Itoa(w.parts), part, nil); err != nil {
		return err
	}
	w.parts++
	return nil
}

// Quiet: every part is a key of its own.
func (w *partWriter) writeAll(parts []string) error {
	for _, p := range parts {
		if err := w.flush(p); err != nil {
			return err
		}
	}
	return nil
}
