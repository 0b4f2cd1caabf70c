package catalog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store/memstore"
)

type fakeRegistry struct{ calls int }

func (f *fakeRegistry) Certification(_ context.Context, farm string) (FarmCert, error) {
	f.calls++
	return FarmCert{FarmID: farm, Certifier: "CCOF", ValidTo: time.Now().Add(24 * time.Hour)}, nil
}

func newTestService(t *testing.T) (*Service, *fakeRegistry) {
	t.Helper()
	reg := &fakeRegistry{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(Deps{
		Main: memstore.New(), Edge: memstore.New(),
		Lookup:   func(string) (string, error) { return "<null>", nil },
		Registry: reg, Policies: config.DefaultPolicies(), Log: log,
	})
	return s, reg
}

func TestCreateAndStorefront(t *testing.T) {
	ctx := context.Background()
	s, reg := newTestService(t)
	for _, title := range []string{"Honeycrisp", "Fuji"} {
		if _, err := s.Create(ctx, Listing{FarmID: "f1", Title: title, PriceCents: 450}); err != nil {
			t.Fatal(err)
		}
	}
	sf, err := s.Storefront(ctx, "f1")
	if err != nil {
		t.Fatal(err)
	}
	if len(sf.Listings) != 2 || !sf.Certified {
		t.Fatalf("storefront = %+v", sf)
	}
	if _, err := s.Storefront(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if reg.calls != 1 {
		t.Fatalf("registry called %d times, want 1 (cached)", reg.calls)
	}
}

func TestCreateValidates(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.Create(context.Background(), Listing{Title: ""})
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 3 {
		t.Fatalf("err = %v", err)
	}
}

func TestBrowseReturnsCursor(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	for range 5 {
		_, _ = s.Create(ctx, Listing{FarmID: "f1", Title: "Kale", PriceCents: 300})
	}
	p, err := s.Browse(ctx, "", 3)
	if err != nil || len(p.IDs) != 3 || p.Cursor == "" {
		t.Fatalf("page = %+v, err %v", p, err)
	}
	p, err = s.Browse(ctx, p.Cursor, 3)
	if err != nil || len(p.IDs) != 2 || p.Cursor != "" {
		t.Fatalf("page = %+v, err %v", p, err)
	}
}
