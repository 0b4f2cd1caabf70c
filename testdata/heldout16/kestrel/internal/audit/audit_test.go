package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"example.com/kestrel/internal/store/memstore"
)

func feed(t *testing.T, entries ...Entry) <-chan []byte {
	t.Helper()
	ch := make(chan []byte, len(entries))
	for _, e := range entries {
		b, _ := json.Marshal(e)
		ch <- b
	}
	close(ch)
	return ch
}

func TestPipelineExportPurge(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var in []Entry
	for i := range 7 {
		in = append(in, Entry{Org: "acme", Actor: "u1", Action: "flag.update", At: base.Add(time.Duration(i) * time.Minute)})
	}
	p := NewPipeline(st, "acme", time.Hour, 3, nil)
	if err := p.Run(ctx, feed(t, in...)); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	n, err := NewExporter(st, 2).Export(ctx, "acme", &buf)
	if err != nil || n != 7 {
		t.Fatalf("export n=%d err=%v", n, err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	if !strings.Contains(first, base.Format(time.RFC3339)) {
		t.Fatalf("not oldest first: %s", first)
	}

	removed, err := NewExporter(st, 1).Purge(ctx, "acme")
	if err != nil || removed != 3 {
		t.Fatalf("purge removed=%d err=%v", removed, err)
	}
}
