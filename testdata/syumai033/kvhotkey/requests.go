package kvhotkey

import (
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// BookRequest is decoded from the request body by a generic adapter that
// the router wraps around the service's methods.
type BookRequest struct{ Venue, Guest string }

// ReplyRequest binds itself from the request.
type replyRequest struct{ Thread string }

func (r *replyRequest) Bind(req *http.Request) error { r.Thread = req.PathValue("thread"); return nil }

type bookings struct{ ns *kv.Namespace }

// A service method given the decoded request runs on every request.
func (b *bookings) Book(req BookRequest) error { // want Book:"kvhotkey"
	if err := b.ns.PutString("booking/"+req.Venue+"/"+req.Guest, "1", nil); err != nil {
		return err
	}
	return b.ns.PutString("stats/latest-booking", req.Venue, nil) // want `this handler writes the same KV key on every request`
}

func (b *bookings) reply(req replyRequest) error { // want reply:"kvhotkey"
	return b.ns.PutString("threads/last-reply", req.Thread, nil) // want `this handler writes the same KV key on every request`
}

type rebuildJob struct{ Venue string }

// Quiet: a job's input is no request.
func (b *bookings) rebuild(job rebuildJob) error {
	return b.ns.PutString("stats/latest-rebuild", job.Venue, nil)
}

// Quiet: a client that sends requests is no request served.
func (b *bookings) snapshot(client *http.Client) error {
	resp, err := client.Get("https://feed.example/latest")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return b.ns.PutString("stats/last-snapshot", resp.Status, nil)
}

type deliveries struct{ ns *kv.Namespace }

// record keeps the latest delivery under one key: the write is here, and
// the handler below runs it on every request.
func (d *deliveries) record(id string) error {
	return d.ns.PutString("deliveries/latest", id, nil) // want `this write, called from a handler, writes the same KV key on every request`
}

func (d *deliveries) receive(w http.ResponseWriter, r *http.Request) { // want receive:"kvhotkey"
	if err := d.record(r.PathValue("id")); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
	}
}

// A handler made by a method, writing the number now being served on
// every admission.
func (b *bookings) admitHandler() http.Handler { // want admitHandler:"kvhotkey"
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_ = b.ns.PutString("queue:now-serving", req.PathValue("ticket"), nil) // want `this handler writes the same KV key on every request`
	})
}

type gate struct{ ns *kv.Namespace }

// admit counts the caller's requests and notes the latest admission: the
// helper writes a key of its own beside the count, on every request.
func (g *gate) admit(caller string) bool {
	n := 0
	if v, err := g.ns.GetString("quota:"+caller, nil); err == nil && v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	_ = g.ns.PutString("quota:"+caller, strconv.Itoa(n+1), nil)
	_ = g.ns.PutString("gate:last-admitted", time.Now().UTC().Format(time.RFC3339), nil) // want `this write, called from a handler, writes the same KV key on every request`
	return n < 100
}

func (g *gate) serve(w http.ResponseWriter, r *http.Request) { // want serve:"kvhotkey"
	if !g.admit(r.Header.Get("X-Caller")) {
		w.WriteHeader(http.StatusTooManyRequests)
	}
}

type shelf struct{ ns *kv.Namespace }

// publish runs on every request and calls a helper that calls another:
// the write is the innermost helper's, reported there.
func (s *shelf) publish(w http.ResponseWriter, r *http.Request) { // want publish:"kvhotkey"
	_ = s.add(r.PathValue("id"))
}

func (s *shelf) add(id string) error {
	if err := s.ns.PutString("episode:"+id, "1", nil); err != nil {
		return err
	}
	return s.touch()
}

func (s *shelf) touch() error {
	return s.ns.PutString("shelf:last-updated", time.Now().UTC().Format(time.RFC3339), nil) // want `this write, called from a handler, writes the same KV key on every request`
}
