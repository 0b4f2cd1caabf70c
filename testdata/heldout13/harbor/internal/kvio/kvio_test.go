package kvio

import (
	"context"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

func TestSamplesThroughStore(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	in := []Sample{
		{At: time.Unix(1700000000, 0).UTC(), Lat: 51.95, Lon: 4.05},
		{At: time.Unix(1700000060, 0).UTC(), Lat: 51.96, Lon: 4.06},
	}
	w := NewWriter(ctx, st, "track:x")
	if err := WriteSamples(w, in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte{1}); err == nil {
		t.Fatal("write after close succeeded")
	}
	r, found, err := NewReader(ctx, st, "track:x")
	if err != nil || !found {
		t.Fatalf("reader: %v %v", found, err)
	}
	out, err := ReadSamples(r)
	if err != nil || len(out) != 2 || out[1] != in[1] {
		t.Fatalf("got %+v, %v", out, err)
	}
	if r, found, err := NewReader(ctx, st, "track:none"); err != nil || found {
		t.Fatalf("missing: %v %v", found, err)
	} else if s, _ := ReadSamples(r); len(s) != 0 {
		t.Fatalf("missing read %d samples", len(s))
	}
}
