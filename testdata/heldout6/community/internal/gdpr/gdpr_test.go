package gdpr

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/community/internal/store"
	"example.com/community/internal/store/memstore"
)

func TestProcessErasesUserData(t *testing.T) {
	ctx := context.Background()
	jobs, sess, data := memstore.New(), memstore.New(), memstore.New()
	_ = store.PutJSON(ctx, sess, "usess:u1", []string{"s1", "s2"})
	_ = sess.Put(ctx, "sess:s1", []byte("{}"))
	_ = sess.Put(ctx, "sess:s2", []byte("{}"))
	_ = data.Put(ctx, "inbox:u1", []byte("{}"))
	_ = data.Put(ctx, "recent:u1", []byte("x"))
	_ = data.Put(ctx, "inbox:u2", []byte("{}"))

	e := NewEraser(jobs, sess, []Target{
		{KV: sess, Prefixes: func(uid string) []string { return []string{"usess:" + uid} }},
		{KV: data, Prefixes: func(uid string) []string { return []string{"inbox:" + uid} }},
		{KV: data, Large: true, Prefixes: func(uid string) []string { return []string{"recent:" + uid} }},
	}, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))

	if _, err := e.Request(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	j, err := e.Request(ctx, "u1")
	if err != nil || len(j.Requests) != 2 {
		t.Fatalf("second request = %v %v", j, err)
	}
	if err := e.Process(ctx); err != nil {
		t.Fatal(err)
	}
	if sess.Len() != 0 {
		t.Fatalf("sessions left: %d", sess.Len())
	}
	if data.Len() != 1 {
		t.Fatalf("data left: %d", data.Len())
	}
	if jobs.Len() != 0 {
		t.Fatalf("job not removed")
	}
}
