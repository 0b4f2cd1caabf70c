package sponsors

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"example.com/quill/internal/ledger"
	"example.com/quill/internal/storage"
	"example.com/quill/internal/storage/memstore"
)

type fakeLedger struct {
	ledger.Ledger
	mu    sync.Mutex
	holds map[string]time.Time
}

func (f *fakeLedger) InsertHold(_ context.Context, tenant string, issue int, slot, _ string, until time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := tenant + "/" + slot
	if t, ok := f.holds[k]; ok && time.Now().Before(t) {
		return ledger.ErrConflict
	}
	f.holds[k] = until
	return nil
}

func TestPlaceIsExclusive(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	desk := NewDesk("field-notes", st, &fakeLedger{holds: map[string]time.Time{}})
	h, err := desk.Place(ctx, 12, "top", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Place(ctx, 12, "top", "globex"); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("second hold: %v", err)
	}
	page, err := st.List(ctx, storage.ListOptions{Prefix: "hold:"})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].Metadata["tenant"] != "field-notes" {
		t.Fatalf("page %+v, %v", page, err)
	}
	if time.Until(h.Until) < 10*time.Minute {
		t.Fatalf("hold too short: %s", h.Until)
	}
}
