package audit_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"example.com/flagship/internal/audit"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage/memkv"
)

func TestRecordTailExport(t *testing.T) {
	ctx := context.Background()
	log := audit.New(memkv.New())
	now := time.Now().UTC()
	for _, target := range []string{"flag/a", "flag/b", "flag/c"} {
		if err := log.Record(ctx, audit.Entry{At: now, Actor: "alice", Action: "PUT", Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := log.Tail(ctx, kvkey.Day(now), 2)
	if err != nil || len(lines) != 2 {
		t.Fatalf("tail: %v, %v", lines, err)
	}
	var buf bytes.Buffer
	n, err := log.Export(ctx, kvkey.Day(now), &buf, 5)
	if err != nil || n != 3 || !strings.Contains(buf.String(), "flag/b") {
		t.Fatalf("export: n=%d err=%v", n, err)
	}
}

func TestDigest(t *testing.T) {
	ctx := context.Background()
	log := audit.New(memkv.New())
	for i := 0; i < 3; i++ {
		if err := log.AddToDigest(ctx, audit.Entry{Actor: "bob"}); err != nil {
			t.Fatal(err)
		}
	}
}
