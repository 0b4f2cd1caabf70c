package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestRecordIndexDigest(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	kv := kvfake.New()
	kv.Now = func() time.Time { return at }
	l := NewLog(kv, 30*24*time.Hour)
	l.now = func() time.Time { return at }
	for _, a := range []string{"login", "logout", "login"} {
		if err := l.Record(ctx, Event{Actor: "u1", Action: a, OK: true}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := l.Index(ctx, "20260402")
	if err != nil || len(ids) != 3 {
		t.Fatalf("index: %v %v", ids, err)
	}
	ev, err := l.Get(ctx, ids[1])
	if err != nil || ev.Action != "logout" || ev.Seq != 2 {
		t.Fatalf("get: %+v %v", ev, err)
	}
	tail, more, err := l.Recent(ctx, 2)
	if err != nil || len(tail) != 2 || !more {
		t.Fatalf("recent: %v %v %v", tail, more, err)
	}
	d, _ := kv.Get(ctx, "audit:digest:20260402")
	if strings.Count(string(d), "\n") != 3 {
		t.Fatalf("digest:\n%s", d)
	}
}
