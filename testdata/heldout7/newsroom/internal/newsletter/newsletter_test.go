package newsletter

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"example.com/newsroom/internal/store/memstore"
)

type fakeESP struct {
	batches [][]string
	last    string
}

func (f *fakeESP) SendBatch(_ context.Context, to []string, _, _ string) error {
	f.batches = append(f.batches, append([]string(nil), to...))
	return nil
}

func (f *fakeESP) SendOne(_ context.Context, _, _, body string) error {
	f.last = body
	return nil
}

func TestSubscribeConfirm(t *testing.T) {
	ctx := context.Background()
	esp := &fakeESP{}
	l := New(memstore.New(), esp, Config{ConfirmURL: "https://n/confirm", DailyQuota: 100})
	if err := l.Subscribe(ctx, " Reader@Example.com ", []string{"morning"}); err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(esp.last, "?t=")
	if !ok {
		t.Fatalf("no token in %q", esp.last)
	}
	sub, err := l.Confirm(ctx, token)
	if err != nil || !sub.Confirmed || sub.Email != "reader@example.com" {
		t.Fatalf("Confirm = %+v, %v", sub, err)
	}
	if _, err := l.Confirm(ctx, token); err == nil {
		t.Fatal("token reusable")
	}
}

func TestSendDigestRespectsQuota(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	esp := &fakeESP{}
	l := New(mem, esp, Config{DailyQuota: 10, BatchSize: 4})
	for i := range 8 {
		_ = l.subs.Save(ctx, fmt.Sprintf("r%d@example.com", i), Subscriber{Confirmed: true})
	}
	if _, err := l.SendDigest(ctx, "morning", "s", "<p>hi</p>", ""); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range esp.batches {
		total += len(b)
	}
	if total != 8 || len(esp.batches) != 2 {
		t.Fatalf("sent %d in %d batches", total, len(esp.batches))
	}
	if _, err := l.SendDigest(ctx, "morning", "s", "<p>again</p>", ""); err != nil {
		t.Fatal(err)
	}
	if len(esp.batches) != 2 {
		t.Fatalf("quota not enforced: %d batches", len(esp.batches))
	}
}
